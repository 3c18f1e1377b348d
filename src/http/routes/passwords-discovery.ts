import type { FastifyInstance } from "fastify";
import type { AppServices } from "../context.js";

/**
 * /v1/b2b/passwords/discovery/* is deliberately not served (404 route_not_found): those routes need a
 * password shared by one person across organizations (Stytch's "cross-org passwords" project setting), and
 * Gatehouse's passwords belong to one member of one organization. See docs/decisions.md, Discovery.
 */
export function registerPasswordsDiscoveryRoutes(app: FastifyInstance, services: AppServices): void {
  void app;
  void services;
}
