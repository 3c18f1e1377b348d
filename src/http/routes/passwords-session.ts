import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { authResultToWire } from "../presenters.js";
import { AuthResultProperties, response, SessionParamsSchema, Str } from "../schemas.js";

/** /v1/b2b/passwords/session/reset (SDK: passwords.sessions.reset) */

const Body = Type.Object({ organization_id: Str, password: Str, ...SessionParamsSchema });

export function registerPasswordsSessionRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Static<typeof Body> }>(
    "/v1/b2b/passwords/session/reset",
    { schema: { body: Body, response: { 200: response(AuthResultProperties) } } },
    async (request) => {
      const issued = await services.passwords.resetBySession(projectOf(request), request.body);
      return ok(request, authResultToWire(issued, services.clock.now()));
    },
  );
}
