import { type MigrationResultSet, Migrator, sql } from "kysely";
import type { OpenedDatabase } from "./dialects.js";
import { migrationProvider } from "./migrations/index.js";

/** Arbitrary constant naming Gatehouse's migration lock among PostgreSQL advisory locks. */
const MIGRATION_LOCK_KEY = 4_205_417_001;

/**
 * Brings the schema to the latest version. Safe when several nodes start at once: on PostgreSQL the whole run
 * holds a session advisory lock (Kysely's own lock table also serialises), on SQLite the file's write lock does.
 * Throws when any migration fails, after reporting which.
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
  if (opened.dialect !== "postgres") return run();
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
