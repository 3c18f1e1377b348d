import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { MEMBER_ACTIONS } from "../../members/member-permissions.js";
import { authorize } from "../../rbac/authorize.js";
import { type AppServices, ok, projectOf } from "../context.js";
import { memberSessionOf } from "../member-authorization.js";
import { authResultToWire, memberToWire, organizationToWire } from "../presenters.js";
import {
  AuthResultProperties,
  MemberSchema,
  OrganizationSchema,
  response,
  SessionParamsSchema,
  Str,
} from "../schemas.js";

/** /v1/b2b/passwords/email/reset/start, /v1/b2b/passwords/email/reset and /v1/b2b/passwords/email/require_reset */

const ResetStartBody = Type.Object({
  organization_id: Str,
  email_address: Str,
  reset_password_redirect_url: Type.Optional(Str),
  reset_password_expiration_minutes: Type.Optional(Type.Integer()),
  code_challenge: Type.Optional(Str),
  login_redirect_url: Type.Optional(Str),
  locale: Type.Optional(Str),
  reset_password_template_id: Type.Optional(Str),
  verify_email_template_id: Type.Optional(Str),
});

const ResetStartResponse = response({ member_id: Str, member_email_id: Str, member: MemberSchema });

const ResetBody = Type.Object({
  password_reset_token: Type.String({ minLength: 1, maxLength: 512 }),
  password: Str,
  code_verifier: Type.Optional(Str),
  ...SessionParamsSchema,
});

const RequireResetBody = Type.Object({
  email_address: Str,
  organization_id: Type.Optional(Str),
  member_id: Type.Optional(Str),
});

const RequireResetResponse = response({
  member_id: Type.Optional(Str),
  member: Type.Optional(MemberSchema),
  organization: Type.Optional(OrganizationSchema),
});

export function registerPasswordsEmailRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Static<typeof ResetStartBody> }>(
    "/v1/b2b/passwords/email/reset/start",
    { schema: { body: ResetStartBody, response: { 200: ResetStartResponse } } },
    async (request) => {
      const { member } = await services.passwords.resetStart(projectOf(request), request.body);
      return ok(request, {
        member_id: member.member_id,
        member_email_id: member.email_id,
        member: memberToWire(member, services.clock.now()),
      });
    },
  );

  app.post<{ Body: Static<typeof ResetBody> }>(
    "/v1/b2b/passwords/email/reset",
    {
      schema: {
        body: ResetBody,
        response: { 200: response({ ...AuthResultProperties, member_email_id: Str }) },
      },
    },
    async (request) => {
      const issued = await services.passwords.resetByEmail(projectOf(request), request.body);
      return ok(request, {
        ...authResultToWire(issued, services.clock.now()),
        member_email_id: issued.member.email_id,
      });
    },
  );

  // "hdr": with a member-session header, the target is the address's member in the named organization (or
  // the session's own), and the session needs update.info.delete.password on stytch.member (or on
  // stytch.self for its own address): clearing a password is what deletePassword does in org-scoped mode.
  app.post<{ Body: Static<typeof RequireResetBody> }>(
    "/v1/b2b/passwords/email/require_reset",
    { schema: { body: RequireResetBody, response: { 200: RequireResetResponse } } },
    async (request) => {
      const project = projectOf(request);
      const crossOrg = services.passwords.crossOrg;
      const grant = await memberSessionOf(request, services);
      const target = await crossOrg.locateRequireReset(
        project,
        request.body,
        grant?.organization.organization_id,
      );
      if (grant) {
        authorize(grant, {
          organization_id: target.organization!.organization_id,
          resource_id: "stytch.member",
          action: MEMBER_ACTIONS.deletePassword.action,
          target_member_id: target.member!.member_id,
        });
      }
      const { member, organization } = await crossOrg.requireReset(project, target);
      const now = services.clock.now();
      return ok(request, {
        ...(member ? { member_id: member.member_id, member: memberToWire(member, now) } : {}),
        ...(organization ? { organization: organizationToWire(organization) } : {}),
      });
    },
  );
}
