import type { FastifyInstance } from "fastify";
import { AuthError } from "../../errors/auth-error.js";
import type { AppServices } from "../context.js";

/** GET /healthz: 200 when the database answers a query, 503 otherwise (for load balancers). */
export function registerHealthRoutes(app: FastifyInstance, services: AppServices): void {
  app.get("/healthz", async () => {
    try {
      await services.store.ping();
    } catch (error) {
      throw new AuthError("service_unavailable", { cause: error, retryAfterSeconds: 1 });
    }
    return { status: "ok", database: "ok" };
  });
}
