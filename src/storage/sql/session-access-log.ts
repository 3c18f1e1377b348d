import type { Kysely } from "kysely";
import type { MemberSession } from "../../sessions/session.js";
import type { Database } from "../database.js";
import { preparedQuery } from "./prepared.js";

/** How long a recorded access may wait before it is written (one commit for every access in that window). */
export const ACCESS_FLUSH_MS = 200;
/** Past this many distinct sessions waiting, a flush starts at once. */
const MAX_PENDING = 10_000;

/**
 * One access: never moves the time backwards. Compiled once per transaction handle (preparedQuery), not once
 * per session: a flush writes up to thousands of them when many distinct sessions are checked.
 */
const writeAccess = preparedQuery(["sessionId", "at"], (db, v) =>
  db
    .updateTable("sessions")
    .set({ last_accessed_at: v.at })
    .where("member_session_id", "=", v.sessionId)
    .where("last_accessed_at", "<", v.at),
);

/**
 * Write-behind for `last_accessed_at`, the one write of a plain sessions/authenticate.
 *
 * Why: that write was a durable commit per check, and SQLite's commit (synchronous=FULL: an fsync of the WAL)
 * runs on the event loop: ≈1 ms under load here, so every session check waited for a disk flush, and under
 * a login burst those flushes were most of the event loop's stalls (bench: session p99 under a flood). The
 * access time is informational: it grants nothing, and losing the last ACCESS_FLUSH_MS of it in a crash
 * loses nothing anyone relies on. Everything that matters keeps its synchronous, durable write (a new
 * expiry, custom claims, factors, revocations: SessionsRepository.updateSession and friends).
 *
 * Contract: `record` never waits and never fails; accesses of ACCESS_FLUSH_MS are written in one transaction,
 * never moving a session's time backwards (`WHERE last_accessed_at < ?`), and skipping sessions that are
 * gone. Reads on this node see pending accesses at once (`overlay`); other nodes see them after the flush. A
 * flush that fails keeps its accesses for the next one (unless newer ones replaced them). `close` writes
 * what is pending.
 */
export class SessionAccessLog {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private failedLast = false;

  constructor(private readonly db: Kysely<Database>) {}

  record(sessionId: string, at: number): void {
    const known = this.pending.get(sessionId);
    if (known === undefined || at > known) this.pending.set(sessionId, at);
    if (this.pending.size >= MAX_PENDING) void this.flush();
    else this.schedule();
  }

  /** Starts the flush timer unless one runs (unref'd: pending access times never keep a process alive). */
  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), ACCESS_FLUSH_MS);
    this.timer.unref();
  }

  /** The session as this node knows it: its stored access time, or a later one not yet written. */
  overlay<T extends Pick<MemberSession, "member_session_id" | "last_accessed_at">>(session: T): T {
    const at = this.pending.get(session.member_session_id);
    return at !== undefined && at > session.last_accessed_at ? { ...session, last_accessed_at: at } : session;
  }

  /** Writes every pending access now (and waits for a flush already running). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // Wait for a flush already running (and only then: awaiting nothing would yield, and a second caller could
    // find the map empty and return before the first one's write is done).
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.write(batch).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  close(): Promise<void> {
    return this.flush();
  }

  private async write(batch: Map<string, number>): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const [sessionId, at] of batch) await writeAccess(trx, { sessionId, at });
      });
      this.failedLast = false;
    } catch {
      // Kept for one more flush, unless a newer access replaced it meanwhile (bounded by MAX_PENDING). A second
      // failure in a row (say, the database is closing) drops them: they are only access times.
      if (this.failedLast) return;
      this.failedLast = true;
      for (const [sessionId, at] of batch) {
        if (this.pending.size >= MAX_PENDING) break;
        if (!this.pending.has(sessionId)) this.pending.set(sessionId, at);
      }
      if (this.pending.size > 0) this.schedule();
    }
  }
}
