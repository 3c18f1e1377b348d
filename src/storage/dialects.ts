import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SqliteDatabase from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type SqliteDialectConfig,
  type SqliteDriver,
} from "kysely";
import pg from "pg";
import type { DatabaseConfig } from "../config/load.js";
import { ChangeCounter, type ChangeFeed, trackChanges } from "./change-feed.js";
import type { Database } from "./database.js";
import type { Dialect } from "./migrations/column-types.js";
import { announcement, newNodeId, PostgresChangeListener } from "./postgres-changes.js";
import { preparedStatementName } from "./sql/prepared.js";

/**
 * Opens the configured database. Every dialect difference outside migrations lives in this file.
 */
export interface OpenedDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** The SQLite file (null in memory and on PostgreSQL): migrations lock beside it. */
  readonly sqlitePath?: string | null;
  /** Moves on after every committed write that may change a session answer, here or on another node. */
  readonly changes: ChangeFeed;
  close(): Promise<void>;
}

export function openDatabase(config: DatabaseConfig): OpenedDatabase {
  return config.kind === "sqlite" ? openSqlite(config.path) : openPostgres(config);
}

/**
 * SQLite pragmas, on the one connection the driver uses:
 * - WAL lets readers run beside the writer;
 * - synchronous=FULL syncs the WAL on every commit, so a power cut cannot undo a commit that consumed a token
 *   or revoked a session (with NORMAL it could: docs/security-requirements.md REL-2);
 * - foreign_keys is off by default in SQLite; busy_timeout waits for another process's write lock.
 */
function openSqlite(path: string): OpenedDatabase {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  // busy_timeout first: switching a fresh file to WAL needs a lock another starting process may hold.
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  // data_version moves when another connection (another node on the same file, the CLI) commits.
  const dataVersion = sqlite.prepare("pragma data_version").pluck();
  const changes = new ChangeCounter(() => dataVersion.get() as number);
  const db = new Kysely<Database>({
    dialect: trackChanges(new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }), changes),
  });
  return {
    db,
    dialect: "sqlite",
    sqlitePath: path === ":memory:" ? null : path,
    changes,
    close: async () => {
      await changes.close();
      await db.destroy();
    },
  };
}

/** How many distinct SQL texts keep a prepared statement; past that the cache starts over. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query's SQL afresh, and the profile of sessions/authenticate showed
 * SQLite's prepare as a tenth of the request's time. Kysely emits the same SQL text for the same query shape
 * (values are always bound parameters), so a prepared statement is kept per SQL text and reused: the result
 * is the same statement SQLite would have compiled again. Statements are only run to completion (Kysely's
 * `all`/`run`; streaming is not used), so reusing one is safe on this single connection. Bounded: when full,
 * the cache starts over.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDialectConfig["database"] {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      statements.clear();
      sqlite.close();
    },
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * Transactions start with BEGIN IMMEDIATE: a deferred transaction that reads and then writes fails at once
 * with SQLITE_BUSY (ignoring busy_timeout) when another process took the write lock in between (REL-3).
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver() as SqliteDriver;
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw("begin immediate"));
    };
    return driver;
  }
}

// BIGINT (int8) columns hold epoch milliseconds, far below 2^53: parse them as numbers, not strings.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

function openPostgres(config: Extract<DatabaseConfig, { kind: "postgres" }>): OpenedDatabase {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    ...(config.statementTimeoutMs > 0 ? { statement_timeout: config.statementTimeoutMs } : {}),
  });
  if (config.namedStatements) pool.on("connect", nameHotStatements);
  // Other nodes' commits are heard through LISTEN/NOTIFY; this node announces its own (postgres-changes.ts).
  const nodeId = newNodeId();
  const counter = new ChangeCounter();
  const listener = new PostgresChangeListener(config.url, counter, nodeId);
  const changes: ChangeFeed = {
    version: () => {
      listener.ensureStarted();
      return counter.version();
    },
    close: () => listener.close(),
  };
  const db = new Kysely<Database>({
    dialect: trackChanges(new PostgresDialect({ pool }), counter, announcement(nodeId)),
  });
  return {
    db,
    dialect: "postgres",
    changes,
    close: async () => {
      await changes.close();
      await db.destroy();
    },
  };
}

/**
 * Sends the SQL that preparedQuery compiled (the hot paths: the session join, the organization look-up, the
 * access-time write) as a named prepared statement on this connection, and everything else as before.
 *
 * Why: pg sends every query unnamed, so PostgreSQL parses and plans it on every call. For the organization
 * look-up that was about 114 µs of the database's CPU per call, against 55 µs once named (and 190–220 µs
 * against 125–133 µs of round trip; bench/results/…-optimisations.md). pg prepares a name once per
 * connection and then only binds and executes it.
 *
 * Contract: names are derived from the SQL text (prepared.ts), so one name never means two texts. Such queries
 * list their columns (preparedQuery refuses `*`), so a migration that adds a column, run by another node, does
 * not change their result and cannot invalidate the statements that older nodes hold. PgBouncer in transaction
 * mode needs version 1.21 or later with max_prepared_statements set; otherwise set
 * GATEHOUSE_DATABASE_NAMED_STATEMENTS=false (docs/deploy.md).
 */
function nameHotStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((text: unknown, ...rest: unknown[]) => {
    const name = typeof text === "string" ? preparedStatementName(text) : undefined;
    if (name === undefined || rest.length > 1 || !Array.isArray(rest[0])) return query(text, ...rest);
    return query({ name, text, values: rest[0] });
  }) as typeof client.query;
}

/** Unique-constraint violation, in either engine's words. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}

/** Name of the violated constraint or columns, to tell which invariant failed. */
export function uniqueViolationTarget(error: unknown): string {
  if (typeof error !== "object" || error === null) return "";
  const e = error as { constraint?: unknown; message?: unknown };
  return `${typeof e.constraint === "string" ? e.constraint : ""} ${typeof e.message === "string" ? e.message : ""}`;
}
