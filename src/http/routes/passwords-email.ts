import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { authResultToWire, memberToWire } from "../presenters.js";
import { AuthResultProperties, MemberSchema, response, SessionParamsSchema, Str } from "../schemas.js";

/** /v1/b2b/passwords/email/reset/start and /v1/b2b/passwords/email/reset */

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
}
