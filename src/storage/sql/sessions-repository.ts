import { type Kysely, type Selectable, sql } from "kysely";
import type { MemberSession } from "../../sessions/session.js";
import type { LiveSession, SessionsStore } from "../../sessions/sessions-store.js";
import type { Database, MemberTable, OrganizationTable, SessionTable } from "../database.js";
import { parseJson, toJson } from "./json.js";
import { toMember } from "./members-repository.js";
import { ORGANIZATION_COLUMNS, toOrganization } from "./organizations-repository.js";
import { type ListsEveryColumn, preparedQuery } from "./prepared.js";
import type { SessionAccessLog } from "./session-access-log.js";

// Column lists for the joined hot-path query. The `satisfies` and the ListsEveryColumn checks make the build
// fail when a migration adds a column that is not listed here.
const MEMBER_COLUMNS = [
  "member_id",
  "project_id",
  "organization_id",
  "email_address",
  "email_id",
  "status",
  "name",
  "email_address_verified",
  "is_breakglass",
  "external_id",
  "roles",
  "trusted_metadata",
  "untrusted_metadata",
  "member_password_id",
  "password_hash",
  "failed_auth_count",
  "lock_created_at",
  "lock_expires_at",
  "created_at",
  "updated_at",
  "retired_email_addresses",
] as const satisfies readonly (keyof MemberTable)[];
const everyMemberColumn: ListsEveryColumn<MemberTable, typeof MEMBER_COLUMNS> = true;
void everyMemberColumn;

/**
 * Picks one table's columns out of a joined row whose columns are aliased `<prefix><column>`. The alias list
 * is built once per column list (this runs on every sessions/authenticate).
 */
function unprefixer<T>(prefix: string, columns: readonly string[]): (row: Record<string, unknown>) => T {
  const aliased = columns.map((c) => [c, `${prefix}${c}`] as const);
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const [column, alias] of aliased) out[column] = row[alias];
    return out as T;
  };
}

function toSession(row: Omit<Selectable<SessionTable>, "token_hash">): MemberSession {
  return {
    member_session_id: row.member_session_id,
    project_id: row.project_id,
    organization_id: row.organization_id,
    member_id: row.member_id,
    token_salt: row.token_salt,
    started_at: row.started_at,
    last_accessed_at: row.last_accessed_at,
    expires_at: row.expires_at,
    authentication_factors: parseJson(row.authentication_factors),
    custom_claims: parseJson(row.custom_claims),
  };
}

const COLUMNS = [
  "member_session_id",
  "project_id",
  "organization_id",
  "member_id",
  "token_salt",
  "started_at",
  "last_accessed_at",
  "expires_at",
  "authentication_factors",
  "custom_claims",
] as const;

/** One session write, as updateSession makes it. */
async function writeSession(db: Kysely<Database>, session: MemberSession): Promise<boolean> {
  const result = await db
    .updateTable("sessions")
    .set({
      last_accessed_at: session.last_accessed_at,
      expires_at: session.expires_at,
      authentication_factors: toJson(session.authentication_factors),
      custom_claims: toJson(session.custom_claims),
    })
    .where("member_session_id", "=", session.member_session_id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

interface PendingWrite {
  session: MemberSession;
  resolve(updated: boolean): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the durable session writes of sessions/authenticate: those that extend the session or set
 * claims (a plain access is written behind, SessionAccessLog). With SQLite's synchronous=FULL (or PostgreSQL's
 * synchronous_commit=on) each write is its own durable commit: a disk flush per request.
 * Writes that arrive in the same turn of the event loop are committed together in one transaction, one flush,
 * and each caller is answered only after that commit, so what a request observes is unchanged: its write is
 * durable before it answers. A write alone in its turn is written as before. If the shared transaction fails,
 * each write is retried on its own, so one failure never fails another request.
 */
class SessionWriteBatcher {
  private pending: PendingWrite[] = [];
  private scheduled = false;

  constructor(private readonly db: Kysely<Database>) {}

  write(session: MemberSession): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ session, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    if (batch.length === 1) {
      const [only] = batch as [PendingWrite];
      return writeSession(this.db, only.session).then(only.resolve, only.reject);
    }
    let results: boolean[];
    try {
      results = await this.db.transaction().execute(async (trx) => {
        const out: boolean[] = [];
        for (const { session } of batch) out.push(await writeSession(trx, session));
        return out;
      });
    } catch {
      await Promise.all(batch.map((w) => writeSession(this.db, w.session).then(w.resolve, w.reject)));
      return;
    }
    for (const [i, w] of batch.entries()) w.resolve(results[i] ?? false);
  }
}

/**
 * The live session, its member and its organization in one query over three index probes (the hot path of
 * sessions/authenticate; docs/queries.md). Compiled once: see preparedQuery.
 */
function liveSessionQuery(by: "s.token_hash" | "s.member_session_id") {
  return preparedQuery(["projectId", "now", "key"], (db, v) =>
    db
      .selectFrom("sessions as s")
      .innerJoin("members as m", "m.member_id", "s.member_id")
      .innerJoin("organizations as o", "o.organization_id", "s.organization_id")
      .select(COLUMNS.map((c) => sql.ref(`s.${c}`).as(`s_${c}`)))
      .select(MEMBER_COLUMNS.map((c) => sql.ref(`m.${c}`).as(`m_${c}`)))
      .select(ORGANIZATION_COLUMNS.map((c) => sql.ref(`o.${c}`).as(`o_${c}`)))
      .where("s.project_id", "=", v.projectId)
      .where("s.expires_at", ">", v.now)
      .where(by, "=", v.key),
  );
}
const liveByTokenHash = liveSessionQuery("s.token_hash");
const liveBySessionId = liveSessionQuery("s.member_session_id");
const sessionPart = unprefixer<Omit<Selectable<SessionTable>, "token_hash">>("s_", COLUMNS);
const memberPart = unprefixer<Selectable<MemberTable>>("m_", MEMBER_COLUMNS);
const organizationPart = unprefixer<Selectable<OrganizationTable>>("o_", ORGANIZATION_COLUMNS);

export class SessionsRepository implements SessionsStore {
  /** Outside a transaction, session writes are group-committed (see SessionWriteBatcher). */
  private readonly writes: SessionWriteBatcher | null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly accessLog: SessionAccessLog,
  ) {
    this.writes = db.isTransaction ? null : new SessionWriteBatcher(db);
  }

  recordAccess(sessionId: string, at: number): void {
    this.accessLog.record(sessionId, at);
  }

  async insertSession(session: MemberSession, tokenHash: string): Promise<void> {
    await this.db
      .insertInto("sessions")
      .values({
        member_session_id: session.member_session_id,
        project_id: session.project_id,
        organization_id: session.organization_id,
        member_id: session.member_id,
        token_hash: tokenHash,
        token_salt: session.token_salt,
        started_at: session.started_at,
        last_accessed_at: session.last_accessed_at,
        expires_at: session.expires_at,
        authentication_factors: toJson(session.authentication_factors),
        custom_claims: toJson(session.custom_claims),
      })
      .execute();
  }

  async findByTokenHash(projectId: string, tokenHash: string, now: number): Promise<MemberSession | null> {
    const row = await this.db
      .selectFrom("sessions")
      .select(COLUMNS)
      .where("token_hash", "=", tokenHash)
      .where("project_id", "=", projectId)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return row ? this.accessLog.overlay(toSession(row)) : null;
  }

  async findById(projectId: string, sessionId: string, now: number): Promise<MemberSession | null> {
    const row = await this.db
      .selectFrom("sessions")
      .select(COLUMNS)
      .where("member_session_id", "=", sessionId)
      .where("project_id", "=", projectId)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return row ? this.accessLog.overlay(toSession(row)) : null;
  }

  async findLive(
    projectId: string,
    key: { tokenHash: string } | { sessionId: string },
    now: number,
  ): Promise<LiveSession | null> {
    const [row] =
      "tokenHash" in key
        ? await liveByTokenHash(this.db, { projectId, now, key: key.tokenHash })
        : await liveBySessionId(this.db, { projectId, now, key: key.sessionId });
    if (!row) return null;
    return {
      session: this.accessLog.overlay(toSession(sessionPart(row))),
      member: toMember(memberPart(row)),
      organization: toOrganization(organizationPart(row)),
    };
  }

  async listLive(memberId: string, now: number): Promise<MemberSession[]> {
    const rows = await this.db
      .selectFrom("sessions")
      .select(COLUMNS)
      .where("member_id", "=", memberId)
      .where("expires_at", ">", now)
      .orderBy("started_at", "desc")
      .execute();
    return rows.map((row) => this.accessLog.overlay(toSession(row)));
  }

  updateSession(session: MemberSession): Promise<boolean> {
    return this.writes ? this.writes.write(session) : writeSession(this.db, session);
  }

  async deleteSession(projectId: string, sessionId: string): Promise<number> {
    const result = await this.db
      .deleteFrom("sessions")
      .where("member_session_id", "=", sessionId)
      .where("project_id", "=", projectId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await this.db.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteMemberSessions(memberId: string, keepSessionId?: string): Promise<number> {
    let query = this.db.deleteFrom("sessions").where("member_id", "=", memberId);
    if (keepSessionId !== undefined) query = query.where("member_session_id", "!=", keepSessionId);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
