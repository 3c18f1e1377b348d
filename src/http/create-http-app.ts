import { randomUUID } from "node:crypto";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { AuthError } from "../errors/auth-error.js";
import type { AppServices } from "./context.js";
import { errorHandler, sendError, toAuthError } from "./error-handler.js";
import { registerJsonBody } from "./json-body.js";
import { createProjectAuth } from "./project-auth.js";
import { registerDevOutboxRoutes } from "./routes/dev-outbox.js";
import { registerDiscoveryRoutes } from "./routes/discovery.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerMagicLinksRoutes } from "./routes/magic-links.js";
import { registerMagicLinksDiscoveryRoutes } from "./routes/magic-links-discovery.js";
import { registerMagicLinksEmailRoutes } from "./routes/magic-links-email.js";
import { registerOrganizationsRoutes } from "./routes/organizations.js";
import { registerOrganizationsMembersRoutes } from "./routes/organizations-members.js";
import { registerOrganizationsMembersExternalIdRoutes } from "./routes/organizations-members-external-id.js";
import { registerOrganizationsMembersPasswordsRoutes } from "./routes/organizations-members-passwords.js";
import { registerOrganizationsMembersReactivateRoutes } from "./routes/organizations-members-reactivate.js";
import { registerOrganizationsMembersSearchRoutes } from "./routes/organizations-members-search.js";
import { registerOrganizationsSearchRoutes } from "./routes/organizations-search.js";
import { registerPasswordsRoutes } from "./routes/passwords.js";
import { registerPasswordsDiscoveryRoutes } from "./routes/passwords-discovery.js";
import { registerPasswordsEmailRoutes } from "./routes/passwords-email.js";
import { registerPasswordsExistingPasswordRoutes } from "./routes/passwords-existing-password.js";
import { registerPasswordsMigrateRoutes } from "./routes/passwords-migrate.js";
import { registerPasswordsSessionRoutes } from "./routes/passwords-session.js";
import { registerRbacRoutes } from "./routes/rbac.js";
import { registerSessionsRoutes } from "./routes/sessions.js";
import { registerSessionsJwksRoutes } from "./routes/sessions-jwks.js";
import { SessionCheckFront } from "./session-check-front.js";

/** Routes behind project authentication, one registrar per route file. */
const B2B_ROUTES = [
  registerOrganizationsRoutes,
  registerOrganizationsSearchRoutes,
  registerOrganizationsMembersRoutes,
  registerOrganizationsMembersSearchRoutes,
  registerOrganizationsMembersReactivateRoutes,
  registerOrganizationsMembersExternalIdRoutes,
  registerOrganizationsMembersPasswordsRoutes,
  registerMagicLinksEmailRoutes,
  registerMagicLinksRoutes,
  registerPasswordsRoutes,
  registerPasswordsEmailRoutes,
  registerPasswordsSessionRoutes,
  registerSessionsRoutes,
  registerMagicLinksDiscoveryRoutes,
  registerDiscoveryRoutes,
  registerPasswordsDiscoveryRoutes,
  registerPasswordsExistingPasswordRoutes,
  registerPasswordsMigrateRoutes,
  registerRbacRoutes,
];

export interface HttpAppOptions {
  logger: FastifyServerOptions["logger"];
}

/** Whether Fastify logs each request (at info: "incoming request", "request completed"); `logger: false` does not. */
function logsRequests(app: FastifyInstance): boolean {
  const log = app.log as { isLevelEnabled?: (level: string) => boolean };
  return typeof log.isLevelEnabled === "function" && log.isLevelEnabled("info");
}

/**
 * The Fastify app: JSON in and out on every path (unknown routes and wrong methods included), Stytch-shaped
 * errors from one handler, Basic project auth on /v1/b2b/* (but the public JWKS).
 */
export function createHttpApp(services: AppServices, options: HttpAppOptions): FastifyInstance {
  // Repeated plain session checks are answered before Fastify (SessionCheckFront); `app` is assigned before
  // any request can arrive, and its logger decides whether the front may answer (never while requests are logged).
  let app: FastifyInstance | undefined;
  const front = services.sessionAnswers
    ? new SessionCheckFront(services.sessionAnswers, () => app !== undefined && !logsRequests(app))
    : null;
  app = Fastify({
    logger: options.logger,
    ...(front ? { serverFactory: front.serverFactory.bind(front) } : {}),
    genReqId: () => randomUUID(),
    trustProxy: services.config.trustProxy,
    bodyLimit: 256 * 1024,
    // Slow or stalled clients are cut off instead of holding sockets (ATK-50).
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    return503OnClosing: true,
    ajv: {
      // No type coercion: "60" is not an integer here (ATK-39); unknown fields are ignored, never stored.
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false },
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
    // A malformed percent-encoding or an over-long path parameter is refused by the router before any route,
    // hook or error handler runs, and Fastify would answer in its own JSON shape ({error, code, message});
    // routing these through sendError keeps every error Stytch-shaped. Both are 400 bad_request: the catalog
    // has no 414, and no resource can have a 512+ character id anyway.
    frameworkErrors: (error, request, reply) =>
      sendError(
        request,
        reply,
        error.code === "FST_ERR_BAD_URL"
          ? new AuthError("bad_request", { message: "The request path is not valid percent-encoding." })
          : error.code === "FST_ERR_MAX_PARAM_LENGTH"
            ? new AuthError("bad_request", { message: "A path parameter is too long." })
            : toAuthError(error),
      ),
  });

  if (front) app.addHook("preClose", async () => front.close());
  app.decorate("sessionCheckFront", front);
  app.decorateRequest("project", null);
  registerJsonBody(app);
  app.setErrorHandler(errorHandler);

  const routes: { method: string; pattern: RegExp }[] = [];
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const pattern = new RegExp(
      `^${route.url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z_]+/g, "[^/]+")}/?$`,
    );
    for (const method of methods) routes.push({ method, pattern });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length === 0) return sendError(request, reply, new AuthError("route_not_found"));
    reply.header("allow", allowed.join(", "));
    return sendError(request, reply, new AuthError("method_not_allowed"));
  });

  // Tokens and sessions appear in these responses: no cache may keep them (CS-7).
  app.addHook("onSend", async (request, reply) => {
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    if (request.url.startsWith("/dev/")) reply.header("referrer-policy", "no-referrer");
  });

  // The OpenAPI document is generated from the same route schemas that validate and serialize.
  app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Gatehouse B2B API",
        description: "Stytch-compatible B2B authentication API served by Gatehouse.",
        version: "0.1.0",
      },
      servers: [{ url: services.config.publicUrl }],
      components: { securitySchemes: { projectBasic: { type: "http", scheme: "basic" } } },
      security: [{ projectBasic: [] }],
    },
  });

  const projectAuth = createProjectAuth(services.projects);
  app.register(async (root) => {
    registerHealthRoutes(root, services);
    registerSessionsJwksRoutes(root, services);
    if (services.config.devOutbox) registerDevOutboxRoutes(root, services);
    root.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
    await root.register(async (b2b) => {
      b2b.addHook("onRequest", projectAuth);
      for (const register of B2B_ROUTES) register(b2b, services);
    });
  });
  return app;
}
