import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { memberToWire, organizationToWire } from "../presenters.js";
import { Bool, MemberSchema, OrganizationSchema, response, Str } from "../schemas.js";

/** /v1/b2b/magic_links/email/* */

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
}
