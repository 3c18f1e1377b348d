import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { authResultToWire } from "../presenters.js";
import { AuthResultProperties, Bool, response, SessionParamsSchema, Str } from "../schemas.js";

/** /v1/b2b/magic_links/authenticate */

const AuthenticateBody = Type.Object({
  magic_links_token: Type.String({ minLength: 1, maxLength: 512 }),
  pkce_code_verifier: Type.Optional(Str),
  ...SessionParamsSchema,
});

const AuthenticateResponse = response({ ...AuthResultProperties, method_id: Str, reset_sessions: Bool });

export function registerMagicLinksRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Static<typeof AuthenticateBody> }>(
    "/v1/b2b/magic_links/authenticate",
    { schema: { body: AuthenticateBody, response: { 200: AuthenticateResponse } } },
    async (request) => {
      const issued = await services.magicLinks.authenticate(projectOf(request), request.body);
      return ok(request, {
        ...authResultToWire(issued, services.clock.now()),
        method_id: issued.method_id,
        reset_sessions: false,
      });
    },
  );
}
