import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from "kysely";

/**
 * Tells cached answers whether the data behind them may have changed (SessionAnswerCache).
 *
 * Contract: `version()` returns a number that is different after every committed write that could change a
 * sessions/authenticate answer: made by this process (counted as it commits, by the dialect wrapper below) or,
 * where the engine lets that be seen, by another process on the same database (SQLite's data_version;
 * PostgreSQL's LISTEN/NOTIFY, postgres-changes.ts). A caller reads the version BEFORE it reads the data an
 * answer is built from, and may serve that answer again only while the version is unchanged: a write that
 * commits after the read moves the version on, one that committed before it is in the data. `null` means
 * "cannot tell right now" (PostgreSQL's listener is not connected): nothing may be served from a cache.
 */
export interface ChangeFeed {
  version(): number | null;
  close(): Promise<void>;
}

/**
 * The local counter behind every feed. `external`, when given, is read at most once per event-loop turn, and
 * any change of its value counts as a write (SQLite: PRAGMA data_version, which moves when another connection
 * commits).
 *
 * Why once per turn: reading data_version opens a read transaction on the WAL index, about 7 µs, which was a
 * fifth of a repeated session check's CPU when read on every call. Writes by this process are counted as they
 * commit, whatever the turn. A commit by another process (another node on the same file, the CLI) is seen from
 * the next turn on: a check in the same turn may still get the answer kept before it, the same window a
 * PostgreSQL node has until the NOTIFY arrives, and no longer than the turn (the event loop's lag).
 */
export class ChangeCounter implements ChangeFeed {
  private count = 0;
  private blind = false;
  private lastExternal: number | undefined;
  private externalReadThisTurn = false;
  private readonly nextTurn = () => {
    this.externalReadThisTurn = false;
  };

  constructor(private readonly external: (() => number) | null = null) {}

  bump(): void {
    this.count++;
  }

  /** While blind, `version()` is null (a listener lost its connection and may miss changes). */
  setBlind(blind: boolean): void {
    if (this.blind && !blind) this.count++; // changes may have been missed meanwhile
    this.blind = blind;
  }

  version(): number | null {
    if (this.blind) return null;
    if (this.external && !this.externalReadThisTurn) {
      this.externalReadThisTurn = true;
      setImmediate(this.nextTurn);
      const value = this.external();
      if (value !== this.lastExternal) {
        this.lastExternal = value;
        this.count++;
      }
    }
    return this.count;
  }

  async close(): Promise<void> {
    this.blind = true;
  }
}

/**
 * Tables whose rows a sessions/authenticate answer is made of (session, member, organization, project, JWT key),
 * and the project's secrets: SessionCheckFront serves a kept answer to the exact credentials it was made for.
 */
const ANSWER_TABLES = new Set([
  "sessions",
  "members",
  "organizations",
  "projects",
  "project_secrets",
  "signing_keys",
]);
const WRITE = /^\s*(insert\s+into|update|delete\s+from)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/i;
const READ_OR_CONTROL =
  /^\s*(select|pragma|begin|commit|rollback|savepoint|release|set|show|notify|listen)\b/i;
// SessionAccessLog's write-behind: it only moves last_accessed_at forward, which an answer cached for the
// current second already carries (the cache never serves an answer outside the second it was made in).
const ACCESS_TIME_ONLY = /^\s*update\s+"sessions"\s+set\s+"last_accessed_at"\s*=\s*(\?|\$\d+)\s+where\s/i;

/**
 * Whether a statement can change an answer. Reads and transaction control cannot; writes to other tables
 * (rate limits, outbox, email tokens…) cannot; an insert into an answer table adds a row no existing answer
 * holds (a new session has a new token), except a signing key (it changes the key JWTs are signed with) and an
 * upsert. Anything unrecognised counts: a wrong "yes" costs a cache miss, a wrong "no" a stale answer.
 */
export function affectsAnswers(sql: string): boolean {
  // Most statements are Kysely's reads, which it spells in lower case: answered before any regular expression.
  if (sql.startsWith("select ")) return false;
  const write = WRITE.exec(sql);
  if (!write) return !READ_OR_CONTROL.test(sql);
  const verb = (write[1] ?? "").toLowerCase();
  const table = write[2] ?? "";
  if (!ANSWER_TABLES.has(table)) return false;
  if (verb.startsWith("insert")) return table === "signing_keys" || /\bon\s+conflict\b/i.test(sql);
  return !ACCESS_TIME_ONLY.test(sql);
}

/**
 * Wraps a Kysely dialect so that every write that affects answers moves `counter` on once it is committed:
 * at once for a statement outside a transaction, at COMMIT for one inside (a rollback changes nothing).
 * `announce`, when given, is SQL run on the same connection after such a write, before the caller gets its
 * result: inside a transaction just before COMMIT (a NOTIFY is delivered exactly when the commit is), outside
 * one right after the statement. PostgreSQL's pg_notify, which tells the other nodes.
 */
export function trackChanges(inner: Dialect, counter: ChangeCounter, announce?: CompiledQuery): Dialect {
  return {
    createAdapter: (): DialectAdapter => inner.createAdapter(),
    createQueryCompiler: (): QueryCompiler => inner.createQueryCompiler(),
    // biome-ignore lint/suspicious/noExplicitAny: Kysely's own signature takes Kysely<any>.
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => inner.createIntrospector(db),
    createDriver: (): Driver => new TrackingDriver(inner.createDriver(), counter, announce),
  };
}

type CompileQuery = QueryCompiler["compileQuery"];

class TrackedConnection implements DatabaseConnection {
  inTransaction = false;
  wrote = false;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly committed: (connection: TrackedConnection) => Promise<void>,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!affectsAnswers(query.sql)) return this.inner.executeQuery<R>(query);
    if (this.inTransaction) {
      this.wrote = true;
      return this.inner.executeQuery<R>(query);
    }
    let result: QueryResult<R>;
    try {
      result = await this.inner.executeQuery<R>(query);
    } catch (error) {
      // A failed statement changed nothing, but counting it costs only a miss.
      await this.committed(this).catch(() => {});
      throw error;
    }
    await this.committed(this);
    return result;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class TrackingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly counter: ChangeCounter,
    private readonly announce: CompiledQuery | undefined,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new TrackedConnection(await this.inner.acquireConnection(), async (connection) => {
      this.counter.bump();
      if (this.announce) await connection.inner.executeQuery(this.announce);
    });
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const tracked = connection as TrackedConnection;
    await this.inner.beginTransaction(tracked.inner, settings);
    tracked.inTransaction = true;
    tracked.wrote = false;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const tracked = connection as TrackedConnection;
    try {
      if (tracked.wrote && this.announce) await tracked.inner.executeQuery(this.announce);
      await this.inner.commitTransaction(tracked.inner);
    } finally {
      // Counted even when COMMIT fails: the outcome is unknown, and a wrong "changed" costs only a miss.
      if (tracked.wrote) this.counter.bump();
      tracked.inTransaction = false;
      tracked.wrote = false;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const tracked = connection as TrackedConnection;
    try {
      await this.inner.rollbackTransaction(tracked.inner);
    } finally {
      tracked.inTransaction = false;
      tracked.wrote = false;
    }
  }

  savepoint(connection: DatabaseConnection, name: string, compile: CompileQuery): Promise<void> {
    return this.onSavepoint("savepoint", connection, name, compile);
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: CompileQuery): Promise<void> {
    return this.onSavepoint("rollbackToSavepoint", connection, name, compile);
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: CompileQuery): Promise<void> {
    return this.onSavepoint("releaseSavepoint", connection, name, compile);
  }

  /** Savepoints pass through: what they wrap is counted when the enclosing transaction commits. */
  private onSavepoint(
    method: "savepoint" | "rollbackToSavepoint" | "releaseSavepoint",
    connection: DatabaseConnection,
    name: string,
    compile: CompileQuery,
  ): Promise<void> {
    const call = this.inner[method];
    if (!call) throw new Error("savepoints are not supported by this dialect");
    return call.call(this.inner, (connection as TrackedConnection).inner, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection((connection as TrackedConnection).inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
