import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { AuthError } from "../../errors/auth-error.js";
import { type AppServices, ok } from "../context.js";
import { response, Str, StrArray } from "../schemas.js";

/**
 * GET /v1/b2b/sessions/jwks/{project_id}: public (jose fetches it with no Authorization header; the SDK's
 * getJWKS sends one, which is simply not needed). Cacheable for five minutes: a rotated-in key is published
 * well before it signs anything a verifier has not yet fetched (JWT-12).
 */
const Params = Type.Object({ project_id: Str });
const JwkSchema = Type.Object({
  kty: Str,
  use: Str,
  key_ops: StrArray,
  alg: Str,
  kid: Str,
  x5c: StrArray,
  x5tS256: Str,
  n: Str,
  e: Str,
});

export function registerSessionsJwksRoutes(app: FastifyInstance, services: AppServices): void {
  app.get<{ Params: Static<typeof Params> }>(
    "/v1/b2b/sessions/jwks/:project_id",
    {
      schema: { params: Params, security: [], response: { 200: response({ keys: Type.Array(JwkSchema) }) } },
    },
    async (request, reply) => {
      const project = await services.projects.get(request.params.project_id);
      if (!project) throw new AuthError("project_not_found");
      request.project = project;
      reply.header("cache-control", "public, max-age=300");
      return ok(request, { keys: await services.sessions.jwks(project.project_id) });
    },
  );
}
