import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { discoveryResultToWire } from "../discovery-presenters.js";
import { DiscoveryResultProperties, TokenString } from "../discovery-schemas.js";
import { response, Str } from "../schemas.js";

/**
 * /v1/b2b/passwords/discovery/authenticate, …/discovery/email/reset/start and …/discovery/email/reset: the
 * cross-org password routes (src/passwords/passwords-discovery.ts). They answer 400
 * cross_org_passwords_not_enabled unless the project's `cross_org_passwords` setting is on.
 */

const AuthenticateBody = Type.Object({ email_address: Str, password: Str });

const ResetStartBody = Type.Object({
  email_address: Str,
  reset_password_redirect_url: Type.Optional(Str),
  discovery_redirect_url: Type.Optional(Str),
  reset_password_template_id: Type.Optional(Str),
  reset_password_expiration_minutes: Type.Optional(Type.Integer()),
  pkce_code_challenge: Type.Optional(Str),
  locale: Type.Optional(Str),
  verify_email_template_id: Type.Optional(Str),
});

const ResetBody = Type.Object({
  password_reset_token: TokenString,
  password: Str,
  pkce_code_verifier: Type.Optional(Str),
});

const IstResponse = response(DiscoveryResultProperties);

export function registerPasswordsDiscoveryRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Static<typeof AuthenticateBody> }>(
    "/v1/b2b/passwords/discovery/authenticate",
    { schema: { body: AuthenticateBody, response: { 200: IstResponse } } },
    async (request) => {
      const result = await services.passwords.crossOrg.authenticate(projectOf(request), request.body);
      return ok(request, discoveryResultToWire(result, services.clock.now()));
    },
  );

  app.post<{ Body: Static<typeof ResetStartBody> }>(
    "/v1/b2b/passwords/discovery/email/reset/start",
    { schema: { body: ResetStartBody, response: { 200: response({}) } } },
    async (request) => {
      await services.passwords.crossOrg.resetStart(projectOf(request), request.body);
      return ok(request, {});
    },
  );

  app.post<{ Body: Static<typeof ResetBody> }>(
    "/v1/b2b/passwords/discovery/email/reset",
    { schema: { body: ResetBody, response: { 200: IstResponse } } },
    async (request) => {
      const result = await services.passwords.crossOrg.reset(projectOf(request), request.body);
      return ok(request, discoveryResultToWire(result, services.clock.now()));
    },
  );
}
