import { availableParallelism } from "node:os";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import type { AuthDeps } from "./auth-deps.js";
import type { Config } from "./config/load.js";
import type { ServerKey } from "./crypto/server-key.js";
import { createDiscoveryService } from "./discovery/discovery-service.js";
import type { Mailer } from "./email/mailer.js";
import { OutboxMailer } from "./email/outbox-mailer.js";
import { SmtpMailer } from "./email/smtp-mailer.js";
import type { AppServices } from "./http/context.js";
import { createHttpApp } from "./http/create-http-app.js";
import type { KeptAnswer } from "./http/session-check-front.js";
import { createMagicLinksService } from "./magic-links/magic-links-service.js";
import { createMembersService } from "./members/members-service.js";
import { createOrganizationsService } from "./organizations/organizations-service.js";
import { createArgon2idHasher, defaultHashConcurrency, type PasswordHasher } from "./passwords/hasher.js";
import { createPasswordsService } from "./passwords/passwords-service.js";
import { createProjectsService } from "./projects/projects-service.js";
import { RateLimiter } from "./rate-limits/rate-limiter.js";
import { SessionAnswerCache } from "./sessions/answer-cache.js";
import { createSessionsService } from "./sessions/sessions-service.js";
import { SigningKeys } from "./sessions/signing-keys.js";
import { type Clock, systemClock } from "./shared/clock.js";
import type { ChangeFeed } from "./storage/change-feed.js";
import type { Store } from "./storage/store.js";

export interface AppDeps {
  config: Config;
  store: Store;
  serverKey: ServerKey;
  clock?: Clock;
  mailer?: Mailer;
  hasher?: PasswordHasher;
  logger?: FastifyServerOptions["logger"];
  /** The database's change feed (OpenedDatabase.changes); without one, no session answer is kept. */
  changes?: ChangeFeed;
}

export interface App {
  readonly http: FastifyInstance;
  readonly services: AppServices;
  readonly mailer: Mailer;
  /** The project signing keys (for rotation by the CLI and tests). */
  readonly keys: SigningKeys;
  close(): Promise<void>;
}

/**
 * The composition root: builds every service from its dependencies and mounts the HTTP app. No I/O happens
 * here; the caller opens the database, migrates it and listens.
 */
export function createApp(deps: AppDeps): App {
  const { config, store, serverKey } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? { level: config.logLevel };
  const hasher =
    deps.hasher ??
    createArgon2idHasher({
      concurrency: defaultHashConcurrency(availableParallelism(), config.threadPoolSize),
    });
  // JWTs are signed on the thread pool while it is not hashing passwords, in line otherwise (SigningKeys).
  const keys = new SigningKeys(store.signingKeys, clock, serverKey, () => hasher.inFlight() === 0);
  const sessionsFor = (s: Store) => createSessionsService({ store: s, keys, serverKey, clock });
  const sessions = sessionsFor(store);
  const organizations = createOrganizationsService({ store, clock });
  const projects = createProjectsService({ store, keys, clock });

  // The HTTP app is built first so its logger is the one services log through.
  let http: FastifyInstance | undefined;
  const log = {
    info: (obj: object, msg?: string) => http?.log.info(obj, msg),
    warn: (obj: object, msg?: string) => http?.log.warn(obj, msg),
    error: (obj: object, msg?: string) => http?.log.error(obj, msg),
  };
  const mailer =
    deps.mailer ??
    (config.smtpUrl
      ? new SmtpMailer(config.smtpUrl, config.emailFrom)
      : new OutboxMailer(store.outbox, config.emailFrom, clock, log));

  const authDeps: AuthDeps = {
    config,
    store,
    clock,
    mailer,
    hasher,
    rateLimiter: new RateLimiter(store.rateLimits, clock),
    organizations,
    sessions,
    sessionsFor,
    log,
  };
  const services: AppServices = {
    config,
    clock,
    store,
    projects,
    organizations,
    members: createMembersService({ store, organizations, clock }),
    magicLinks: createMagicLinksService(authDeps),
    passwords: createPasswordsService(authDeps),
    sessions,
    sessionAnswers:
      config.sessionAnswerCache && deps.changes
        ? new SessionAnswerCache<KeptAnswer>(deps.changes, clock)
        : null,
    discovery: createDiscoveryService(authDeps),
  };
  http = createHttpApp(services, { logger });
  const app = http;
  return {
    keys,
    http: app,
    services,
    mailer,
    async close() {
      await app.close();
      await mailer.close();
    },
  };
}
