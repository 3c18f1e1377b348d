import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppServices } from "../context.js";

/**
 * GET /dev/outbox: the emails stored by the dev outbox (no SMTP configured), newest first; `?to=` filters by
 * recipient. Only registered when the outbox is on (GATEHOUSE_DEV_OUTBOX). It shows live links, so it is a
 * development tool: production deployments configure SMTP, which turns it off.
 */
const Query = Type.Object({
  to: Type.Optional(Type.String()),
  limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,4}$" })),
});

export function registerDevOutboxRoutes(app: FastifyInstance, services: AppServices): void {
  app.get<{ Querystring: Static<typeof Query> }>(
    "/dev/outbox",
    { schema: { querystring: Query } },
    async (request) => {
      const to = request.query.to?.trim().toLowerCase();
      const limit = Math.min(Number(request.query.limit ?? 50), 500);
      const messages = await services.store.outbox.listMessages({ ...(to ? { to } : {}), limit });
      return {
        messages: messages.map((m) => ({ ...m, created_at: new Date(m.created_at).toISOString() })),
      };
    },
  );
}
