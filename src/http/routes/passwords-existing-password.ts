import type { FastifyInstance } from "fastify";
import type { AppServices } from "../context.js";

/** Routes of this file are added by the issue-3 work (see the route table in README.md). */
export function registerPasswordsExistingPasswordRoutes(app: FastifyInstance, services: AppServices): void {
  void app;
  void services;
}
