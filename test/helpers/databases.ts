import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";

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
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
