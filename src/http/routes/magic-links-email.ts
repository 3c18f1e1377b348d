import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { authorizeMemberSession } from "../member-authorization.js";
import { memberToWire, organizationToWire } from "../presenters.js";
import { AnyObject, Bool, MemberSchema, OrganizationSchema, response, Str } from "../schemas.js";

/** /v1/b2b/magic_links/email/login_or_signup and /invite (discovery/send is in magic-links-discovery.ts). */

const LoginOrSignupBody = Type.Object({
  organization_id: Str,
  email_address: Str,
  login_redirect_url: Type.Optional(Str),
  signup_redirect_url: Type.Optional(Str),
  pkce_code_challenge: Type.Optional(Str),
  login_template_id: Type.Optional(Str),
  signup_template_id: Type.Optional(Str),
  locale: Type.Optional(Str),
  login_expiration_minutes: Type.Optional(Type.Integer()),
  signup_expiration_minutes: Type.Optional(Type.Integer()),
});

const LoginOrSignupResponse = response({
  member_id: Str,
  member_created: Bool,
  member: MemberSchema,
  organization: OrganizationSchema,
});

const InviteBody = Type.Object({
  organization_id: Str,
  email_address: Str,
  invite_redirect_url: Type.Optional(Str),
  invited_by_member_id: Type.Optional(Str),
  name: Type.Optional(Type.String({ maxLength: 1024 })),
  trusted_metadata: Type.Optional(AnyObject),
  untrusted_metadata: Type.Optional(AnyObject),
  invite_template_id: Type.Optional(Str),
  locale: Type.Optional(Str),
  roles: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 64 })),
  invite_expiration_minutes: Type.Optional(Type.Integer()),
});

const InviteResponse = response({ member_id: Str, member: MemberSchema, organization: OrganizationSchema });

export function registerMagicLinksEmailRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Static<typeof LoginOrSignupBody> }>(
    "/v1/b2b/magic_links/email/login_or_signup",
    { schema: { body: LoginOrSignupBody, response: { 200: LoginOrSignupResponse } } },
    async (request) => {
      const result = await services.magicLinks.loginOrSignup(projectOf(request), request.body);
      return ok(request, {
        member_id: result.member.member_id,
        member_created: result.member_created,
        member: memberToWire(result.member, services.clock.now()),
        organization: organizationToWire(result.organization),
      });
    },
  );

  // hdr: with a member session, inviting needs "create" on stytch.member in the invitee's organization.
  app.post<{ Body: Static<typeof InviteBody> }>(
    "/v1/b2b/magic_links/email/invite",
    { schema: { body: InviteBody, response: { 200: InviteResponse } } },
    async (request) => {
      const project = projectOf(request);
      const sandboxed = await services.magicLinks.sandbox.emailSend(project, request.body);
      if (sandboxed) {
        const { member, organization } = sandboxed;
        return ok(request, {
          member_id: member.member_id,
          member: memberToWire(member, services.clock.now()),
          organization: organizationToWire(organization),
        });
      }
      const organization = await services.organizations.get(project, request.body.organization_id);
      await authorizeMemberSession(request, services, {
        organization_id: organization.organization_id,
        resource_id: "stytch.member",
        action: "create",
      });
      const result = await services.magicLinks.invite(project, organization, request.body);
      return ok(request, {
        member_id: result.member.member_id,
        member: memberToWire(result.member, services.clock.now()),
        organization: organizationToWire(result.organization),
      });
    },
  );
}
