import type { Config } from "./config/load.js";
import type { Mailer } from "./email/mailer.js";
import type { OrganizationsService } from "./organizations/organizations-service.js";
import type { PasswordHasher } from "./passwords/hasher.js";
import type { RateLimiter } from "./rate-limits/rate-limiter.js";
import type { SessionsService } from "./sessions/sessions-service.js";
import type { Clock } from "./shared/clock.js";
import type { Store } from "./storage/store.js";

/** Logger methods the services use (pino's signature, so Fastify's logger fits). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * What the authentication services (magic links, passwords) depend on. `sessionsFor(tx)` gives a sessions
 * service writing through a transaction's store, so a token redemption and the session it creates commit or
 * roll back together.
 */
export interface AuthDeps {
  readonly config: Config;
  readonly store: Store;
  readonly clock: Clock;
  readonly mailer: Mailer;
  readonly hasher: PasswordHasher;
  readonly rateLimiter: RateLimiter;
  readonly organizations: OrganizationsService;
  readonly sessions: SessionsService;
  sessionsFor(store: Store): SessionsService;
  readonly log: Logger;
}
