import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { memberToWire, organizationToWire, sessionToWire } from "../presenters.js";
import {
  AnyObject,
  MemberSchema,
  MemberSessionSchema,
  OrganizationSchema,
  response,
  Str,
} from "../schemas.js";

/** /v1/b2b/sessions, /authenticate, /revoke (the public JWKS route is in sessions-jwks.ts) */

const ListQuery = Type.Object({ organization_id: Str, member_id: Str });

const AuthenticateBody = Type.Object({
  session_token: Type.Optional(Str),
  session_jwt: Type.Optional(Str),
  session_duration_minutes: Type.Optional(Type.Integer()),
  session_custom_claims: Type.Optional(AnyObject),
  authorization_check: Type.Optional(AnyObject),
});

const AuthenticateResponse = response({
  member_session: MemberSessionSchema,
  session_token: Str,
  session_jwt: Str,
  member: MemberSchema,
  organization: OrganizationSchema,
});

const RevokeBody = Type.Object({
  member_session_id: Type.Optional(Str),
  session_token: Type.Optional(Str),
  session_jwt: Type.Optional(Str),
  member_id: Type.Optional(Str),
});

export function registerSessionsRoutes(app: FastifyInstance, services: AppServices): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    "/v1/b2b/sessions",
    {
      schema: {
        querystring: ListQuery,
        response: { 200: response({ member_sessions: Type.Array(MemberSessionSchema) }) },
      },
    },
    async (request) => {
      const { sessions, member, organization } = await services.sessions.list(
        projectOf(request),
        request.query.organization_id,
        request.query.member_id,
      );
      return ok(request, { member_sessions: sessions.map((s) => sessionToWire(s, member, organization)) });
    },
  );

  app.post<{ Body: Static<typeof AuthenticateBody> }>(
    "/v1/b2b/sessions/authenticate",
    { schema: { body: AuthenticateBody, response: { 200: AuthenticateResponse } } },
    async (request) => {
      const issued = await services.sessions.authenticate(projectOf(request), request.body);
      return ok(request, {
        member_session: sessionToWire(issued.session, issued.member, issued.organization),
        session_token: issued.session_token,
        session_jwt: issued.session_jwt,
        member: memberToWire(issued.member, services.clock.now()),
        organization: organizationToWire(issued.organization),
      });
    },
  );

  app.post<{ Body: Static<typeof RevokeBody> }>(
    "/v1/b2b/sessions/revoke",
    { schema: { body: RevokeBody, response: { 200: response({}) } } },
    async (request) => {
      await services.sessions.revoke(projectOf(request), request.body);
      return ok(request, {});
    },
  );
}
