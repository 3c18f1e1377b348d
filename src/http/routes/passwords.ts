import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { authResultToWire } from "../presenters.js";
import { AuthResultProperties, Bool, response, SessionParamsSchema, Str, StrArray } from "../schemas.js";

/** /v1/b2b/passwords/authenticate and /v1/b2b/passwords/strength_check */

const AuthenticateBody = Type.Object({
  organization_id: Str,
  email_address: Str,
  password: Str,
  ...SessionParamsSchema,
});

const StrengthBody = Type.Object({ password: Str, email_address: Type.Optional(Str) });

const StrengthResponse = response({
  valid_password: Bool,
  score: Type.Integer(),
  breached_password: Bool,
  strength_policy: Str,
  breach_detection_on_create: Bool,
  zxcvbn_feedback: Type.Object({ warning: Str, suggestions: StrArray }),
  luds_feedback: Type.Object({
    has_lower_case: Bool,
    has_upper_case: Bool,
    has_digit: Bool,
    has_symbol: Bool,
    missing_complexity: Type.Integer(),
    missing_characters: Type.Integer(),
  }),
});

export function registerPasswordsRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Static<typeof AuthenticateBody> }>(
    "/v1/b2b/passwords/authenticate",
    { schema: { body: AuthenticateBody, response: { 200: response(AuthResultProperties) } } },
    async (request) => {
      const issued = await services.passwords.authenticate(projectOf(request), request.body);
      return ok(request, authResultToWire(issued, services.clock.now()));
    },
  );

  app.post<{ Body: Static<typeof StrengthBody> }>(
    "/v1/b2b/passwords/strength_check",
    { schema: { body: StrengthBody, response: { 200: StrengthResponse } } },
    async (request) => ok(request, await services.passwords.strengthCheck(projectOf(request), request.body)),
  );
}
