import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { authResultToWire } from "../presenters.js";
import { AuthResultProperties, response, SessionParamsSchema, Str } from "../schemas.js";

/** /v1/b2b/passwords/existing_password/reset (SDK: passwords.existingPassword.reset) */

const Body = Type.Object({
  email_address: Str,
  existing_password: Str,
  new_password: Str,
  organization_id: Str,
  ...SessionParamsSchema,
});

export function registerPasswordsExistingPasswordRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Static<typeof Body> }>(
    "/v1/b2b/passwords/existing_password/reset",
    { schema: { body: Body, response: { 200: response(AuthResultProperties) } } },
    async (request) => {
      const issued = await services.passwords.resetExisting(projectOf(request), request.body);
      return ok(request, authResultToWire(issued, services.clock.now()));
    },
  );
}
