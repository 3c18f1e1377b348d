import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { discoveryResultToWire } from "../discovery-presenters.js";
import { DiscoveryResultProperties, TokenString } from "../discovery-schemas.js";
import { response, Str } from "../schemas.js";

/** /v1/b2b/magic_links/email/discovery/send and /v1/b2b/magic_links/discovery/authenticate */

const SendBody = Type.Object({
  email_address: Str,
  discovery_redirect_url: Type.Optional(Str),
  pkce_code_challenge: Type.Optional(Str),
  login_template_id: Type.Optional(Str),
  locale: Type.Optional(Str),
  discovery_expiration_minutes: Type.Optional(Type.Integer()),
});

const AuthenticateBody = Type.Object({
  discovery_magic_links_token: TokenString,
  pkce_code_verifier: Type.Optional(Str),
});

const AuthenticateResponse = response(DiscoveryResultProperties);

export function registerMagicLinksDiscoveryRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Static<typeof SendBody> }>(
    "/v1/b2b/magic_links/email/discovery/send",
    { schema: { body: SendBody, response: { 200: response({}) } } },
    async (request) => {
      await services.discovery.send(projectOf(request), request.body);
      return ok(request, {});
    },
  );

  app.post<{ Body: Static<typeof AuthenticateBody> }>(
    "/v1/b2b/magic_links/discovery/authenticate",
    { schema: { body: AuthenticateBody, response: { 200: AuthenticateResponse } } },
    async (request) => {
      const result = await services.discovery.authenticate(projectOf(request), request.body);
      return ok(request, discoveryResultToWire(result, services.clock.now()));
    },
  );
}
