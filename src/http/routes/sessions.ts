import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { answerValidUntil, SessionAnswerCache } from "../../sessions/answer-cache.js";
import { type AppServices, ok, projectOf, requestIdOf, requestIdPrefix } from "../context.js";
import { authorizeMemberSession } from "../member-authorization.js";
import { authResultToWire, memberToWire, organizationToWire, sessionToWire } from "../presenters.js";
import {
  AnyObject,
  AuthResultProperties,
  Bool,
  MemberSchema,
  MemberSessionSchema,
  OrganizationSchema,
  response,
  SessionParamsSchema,
  Str,
  StrArray,
} from "../schemas.js";
import { bufferedBodyOf, frontKeyOf, keptAnswer } from "../session-check-front.js";

/** /v1/b2b/sessions, /authenticate, /revoke, /exchange (the public JWKS route is in sessions-jwks.ts) */

const ListQuery = Type.Object({ organization_id: Str, member_id: Str });

const AuthenticateBody = Type.Object({
  session_token: Type.Optional(Str),
  session_jwt: Type.Optional(Str),
  session_duration_minutes: Type.Optional(Type.Integer()),
  session_custom_claims: Type.Optional(AnyObject),
  // Fields checked by the service, so a malformed check is 400 invalid_authorization_check.
  authorization_check: Type.Optional(
    Type.Object({
      organization_id: Type.Optional(Str),
      resource_id: Type.Optional(Str),
      action: Type.Optional(Str),
    }),
  ),
});

const AuthenticateResponse = response({
  member_session: MemberSessionSchema,
  session_token: Str,
  session_jwt: Str,
  member: MemberSchema,
  organization: OrganizationSchema,
  verdict: Type.Optional(Type.Object({ authorized: Bool, granting_roles: StrArray })),
});

const RevokeBody = Type.Object({
  member_session_id: Type.Optional(Str),
  session_token: Type.Optional(Str),
  session_jwt: Type.Optional(Str),
  member_id: Type.Optional(Str),
});

const ExchangeBody = Type.Object({ organization_id: Str, ...SessionParamsSchema });

/** How every success body starts (the schema puts request_id first); the rest of a kept answer follows it. */
function envelopeHead(request: FastifyRequest): string {
  return `{"request_id":${JSON.stringify(requestIdOf(request))},`;
}

/** Sends an already serialized JSON body as is (Fastify does not serialize a string again). */
function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type("application/json; charset=utf-8").send(json);
}

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
    {
      schema: { body: AuthenticateBody, response: { 200: AuthenticateResponse } },
      // A body SessionCheckFront already read is handed on from its buffer (the request stream is consumed).
      preParsing: (request, _reply, payload, done) => done(null, bufferedBodyOf(request.raw) ?? payload),
    },
    async (request, reply) => {
      const project = projectOf(request);
      // A plain check may be answered with this second's answer to the same credential (SessionAnswerCache).
      const answers = services.sessionAnswers;
      const key = answers ? SessionAnswerCache.keyOf(project.project_id, request.body) : null;
      const kept = key ? answers?.get(key) : undefined;
      const frontKey = frontKeyOf(request.raw);
      if (kept !== undefined) {
        // The same credential sent in other bytes than the kept request: the front finds this spelling too.
        if (key && frontKey) answers?.alias(key, frontKey);
        return sendJson(reply, `${envelopeHead(request)}${kept.tail}`);
      }
      const version = key ? (answers?.begin() ?? null) : null;

      const issued = await services.sessions.authenticate(project, request.body);
      const body = ok(request, {
        member_session: sessionToWire(issued.session, issued.member, issued.organization),
        session_token: issued.session_token,
        session_jwt: issued.session_jwt,
        member: memberToWire(issued.member, services.clock.now()),
        organization: organizationToWire(issued.organization),
        ...(issued.verdict ? { verdict: issued.verdict } : {}),
      });
      if (!answers || key === null || version === null) return body;
      // Serialized here by the route's own response schema, so the kept bytes are exactly what is sent; only
      // the request_id at the head differs from one answer to the next.
      const json = reply.serializeInput(body, "200") as string;
      const head = envelopeHead(request);
      if (json.startsWith(head)) {
        const validUntil = answerValidUntil(issued, services.clock.now());
        const kept = keptAnswer(requestIdPrefix(project.environment), json.slice(head.length));
        answers.put(key, kept, version, issued.session.last_accessed_at, validUntil);
        // The same answer, under the key SessionCheckFront finds this exact request by.
        if (frontKey) answers.alias(key, frontKey);
      }
      return sendJson(reply, json);
    },
  );

  app.post<{ Body: Static<typeof RevokeBody> }>(
    "/v1/b2b/sessions/revoke",
    { schema: { body: RevokeBody, response: { 200: response({}) } } },
    async (request) => {
      // hdr: with a member session, a member may revoke its own sessions (stytch.self) and an admin those of
      // any member of its organization; the target is resolved first so the check names its organization.
      await services.sessions.revoke(projectOf(request), request.body, (target) =>
        authorizeMemberSession(request, services, {
          organization_id: target.organization_id,
          resource_id: "stytch.member",
          action: "revoke-sessions",
          target_member_id: target.member_id,
        }),
      );
      return ok(request, {});
    },
  );

  app.post<{ Body: Static<typeof ExchangeBody> }>(
    "/v1/b2b/sessions/exchange",
    { schema: { body: ExchangeBody, response: { 200: response(AuthResultProperties) } } },
    async (request) => {
      const issued = await services.sessions.exchange(projectOf(request), request.body);
      return ok(request, authResultToWire(issued, services.clock.now()));
    },
  );
}
