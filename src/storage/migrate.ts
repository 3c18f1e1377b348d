import SqliteDatabase from "better-sqlite3";
import { type MigrationResultSet, Migrator, sql } from "kysely";
import type { OpenedDatabase } from "./dialects.js";
import { migrationProvider } from "./migrations/index.js";

/** Arbitrary constant naming Gatehouse's migration lock among PostgreSQL advisory locks. */
const MIGRATION_LOCK_KEY = 4_205_417_001;

/**
 * Brings the schema to the latest version. Safe when several nodes start at once: on PostgreSQL the whole run
 * holds a session advisory lock; on SQLite an exclusive lock on a small lock database beside the file (Kysely
 * takes no lock on SQLite, and migrations there manage their own transactions, so the main file's write lock
 * cannot be held across them). Throws when any migration fails, after reporting which.
 */
export async function migrateToLatest(opened: OpenedDatabase): Promise<MigrationResultSet> {
  const run = async () => {
    const migrator = new Migrator({ db: opened.db, provider: migrationProvider(opened.dialect) });
    const result = await migrator.migrateToLatest();
    if (result.error) {
      const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
      throw new Error(`migration ${failed} failed: ${String(result.error)}`, { cause: result.error });
    }
    return result;
  };
  if (opened.dialect !== "postgres") {
    if (!opened.sqlitePath) return run();
    return withSqliteMigrationLock(opened.sqlitePath, run);
  }
  return opened.db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      const migrator = new Migrator({ db: conn, provider: migrationProvider(opened.dialect) });
      const result = await migrator.migrateToLatest();
      if (result.error) throw new Error(`migration failed: ${String(result.error)}`, { cause: result.error });
      return result;
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });
}

/**
 * Runs `work` while holding `BEGIN EXCLUSIVE` on `<database>-migrate.lock`, a separate SQLite file: other
 * processes wait (busy timeout) until it is released. SQLite's locks are released by the OS when a process
 * dies, so a crashed migration cannot leave a stale lock behind.
 */
async function withSqliteMigrationLock<T>(databasePath: string, work: () => Promise<T>): Promise<T> {
  const lock = new SqliteDatabase(`${databasePath}-migrate.lock`);
  try {
    lock.pragma("busy_timeout = 60000");
    lock.exec("begin exclusive");
    try {
      return await work();
    } finally {
      lock.exec("rollback");
    }
  } finally {
    lock.close();
  }
}
