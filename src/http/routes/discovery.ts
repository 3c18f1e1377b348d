import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { discoveredOrganizationToWire } from "../discovery-presenters.js";
import { DiscoveredOrganizationSchema, OrganizationCreateFields, TokenString } from "../discovery-schemas.js";
import { authResultToWire } from "../presenters.js";
import { AnyObject, AuthResultProperties, response, Str } from "../schemas.js";

/** /v1/b2b/discovery/organizations[/create] and /v1/b2b/discovery/intermediate_sessions/exchange */

const SessionParamsLite = {
  session_duration_minutes: Type.Optional(Type.Integer()),
  session_custom_claims: Type.Optional(AnyObject),
  locale: Type.Optional(Str),
  telemetry_id: Type.Optional(Str),
};

const ListBody = Type.Object({
  intermediate_session_token: Type.Optional(Str),
  session_token: Type.Optional(Str),
  session_jwt: Type.Optional(Str),
});

const ListResponse = response({
  email_address: Str,
  discovered_organizations: Type.Array(DiscoveredOrganizationSchema),
});

const CreateBody = Type.Object({
  intermediate_session_token: TokenString,
  ...SessionParamsLite,
  ...OrganizationCreateFields,
});

const ExchangeBody = Type.Object({
  intermediate_session_token: TokenString,
  organization_id: Str,
  ...SessionParamsLite,
});

const AuthResultResponse = response(AuthResultProperties);

export function registerDiscoveryRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Static<typeof ListBody> }>(
    "/v1/b2b/discovery/organizations",
    { schema: { body: ListBody, response: { 200: ListResponse } } },
    async (request) => {
      const result = await services.discovery.list(projectOf(request), request.body);
      const now = services.clock.now();
      return ok(request, {
        email_address: result.email_address,
        discovered_organizations: result.discovered_organizations.map((d) =>
          discoveredOrganizationToWire(d, now),
        ),
      });
    },
  );

  app.post<{ Body: Static<typeof CreateBody> }>(
    "/v1/b2b/discovery/organizations/create",
    { schema: { body: CreateBody, response: { 200: AuthResultResponse } } },
    async (request) => {
      const { locale: _locale, telemetry_id: _telemetry, ...input } = request.body;
      const issued = await services.discovery.createOrganization(projectOf(request), input);
      return ok(request, authResultToWire(issued, services.clock.now()));
    },
  );

  app.post<{ Body: Static<typeof ExchangeBody> }>(
    "/v1/b2b/discovery/intermediate_sessions/exchange",
    { schema: { body: ExchangeBody, response: { 200: AuthResultResponse } } },
    async (request) => {
      const issued = await services.discovery.exchange(projectOf(request), request.body);
      return ok(request, authResultToWire(issued, services.clock.now()));
    },
  );
}
