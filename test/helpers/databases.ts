import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Kysely } from "kysely";
import pg from "pg";
import type { Database } from "../../src/storage/database.js";

/**
 * The database a test server runs on. SQLite by default (a file in the test's temp dir, WAL and all, as in
 * production). With GATEHOUSE_TEST_DIALECT=postgres, a fresh database on GATEHOUSE_TEST_POSTGRES_URL's server,
 * dropped afterwards, so the same tests run on both engines.
 */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(dir: string): Promise<TestDatabase> {
  if (process.env.GATEHOUSE_TEST_DIALECT !== "postgres") {
    return { url: `sqlite:${join(dir, "gatehouse.db")}`, drop: async () => {} };
  }
  const adminUrl = process.env.GATEHOUSE_TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error("GATEHOUSE_TEST_DIALECT=postgres needs GATEHOUSE_TEST_POSTGRES_URL");
  const name = `gatehouse_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      // pg's Pool.end() resolves once it has asked its clients to end, not once their sockets have closed; a
      // forced drop right then terminates a backend whose client is still closing, and that client reports the
      // termination as an unhandled error in the test process. Wait (briefly) for the backends to leave first;
      // FORCE remains for any that do not.
      for (let i = 0; i < 50; i++) {
        const { rows } = await c.query<{ n: string }>(
          "select count(*) as n from pg_stat_activity where datname = $1",
          [name],
        );
        if (Number(rows[0]?.n ?? 0) === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * Inserts a bare project row (no secrets, no keys, empty settings) for storage-level tests that only need a
 * project_id to hang rows on.
 */
export async function insertBareProject(db: Kysely<Database>, projectId = "p"): Promise<void> {
  await db
    .insertInto("projects")
    .values({
      project_id: projectId,
      name: projectId.toUpperCase(),
      environment: "test",
      public_token: `${projectId}-token`,
      settings: "{}",
      created_at: 1,
    })
    .execute();
}
