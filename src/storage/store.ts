import type { Kysely } from "kysely";
import type { DiscoveryStore } from "../discovery/discovery-store.js";
import type { OutboxStore } from "../email/outbox.js";
import type { MembersStore } from "../members/members-store.js";
import type { OrganizationsStore } from "../organizations/organizations-store.js";
import type { ProjectsStore } from "../projects/projects-store.js";
import type { RateLimitStore } from "../rate-limits/rate-limiter.js";
import type { SessionsStore } from "../sessions/sessions-store.js";
import type { SigningKeysStore } from "../sessions/signing-keys.js";
import type { EmailTokensStore } from "../tokens/email-tokens-store.js";
import type { Database } from "./database.js";
import { DiscoveryRepository } from "./sql/discovery-repository.js";
import { EmailTokensRepository } from "./sql/email-tokens-repository.js";
import { MembersRepository } from "./sql/members-repository.js";
import { OrganizationsRepository } from "./sql/organizations-repository.js";
import { OutboxRepository } from "./sql/outbox-repository.js";
import { ProjectsRepository } from "./sql/projects-repository.js";
import { RateLimitsRepository } from "./sql/rate-limits-repository.js";
import { SessionAccessLog } from "./sql/session-access-log.js";
import { SessionsRepository } from "./sql/sessions-repository.js";
import { SigningKeysRepository } from "./sql/signing-keys-repository.js";

/**
 * Every persistence contract in one object. `transaction` runs `work` with a Store whose every repository
 * writes through one database transaction; it commits when `work` resolves and rolls back when it throws.
 * Inside a transaction, `transaction` simply runs `work` in the same one.
 */
export interface Store {
  readonly projects: ProjectsStore;
  readonly organizations: OrganizationsStore;
  readonly members: MembersStore;
  readonly emailTokens: EmailTokensStore;
  readonly sessions: SessionsStore;
  readonly signingKeys: SigningKeysStore;
  readonly outbox: OutboxStore;
  readonly rateLimits: RateLimitStore;
  readonly discovery: DiscoveryStore;
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  /** A trivial query, for health checks. */
  ping(): Promise<void>;
  /** Writes what is written behind (session access times: SessionAccessLog); call before closing. */
  flush(): Promise<void>;
}

export function createSqlStore(
  db: Kysely<Database>,
  inTransaction = false,
  accessLog: SessionAccessLog = new SessionAccessLog(db),
): Store {
  const store: Store = {
    projects: new ProjectsRepository(db),
    organizations: new OrganizationsRepository(db),
    members: new MembersRepository(db),
    emailTokens: new EmailTokensRepository(db),
    sessions: new SessionsRepository(db, accessLog),
    signingKeys: new SigningKeysRepository(db),
    outbox: new OutboxRepository(db),
    rateLimits: new RateLimitsRepository(db),
    discovery: new DiscoveryRepository(db),
    transaction: (work) =>
      inTransaction
        ? work(store)
        : db.transaction().execute((trx) => work(createSqlStore(trx, true, accessLog))),
    ping: async () => {
      await db.selectFrom("projects").select("project_id").limit(1).execute();
    },
    flush: () => accessLog.flush(),
  };
  return store;
}
