import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { createTestDatabase, insertBareProject, type TestDatabase } from "../../test/helpers/databases.js";
import { parseDatabaseUrl } from "../config/load.js";
import { DEFAULT_ORGANIZATION_SETTINGS } from "../organizations/organization.js";
import { type OpenedDatabase, openDatabase } from "./dialects.js";
import { migrateToLatest } from "./migrate.js";
import { createSqlStore } from "./store.js";

/**
 * The hot-path queries (preparedQuery) on a real database: on PostgreSQL they are named prepared statements,
 * parsed once per connection, and a column added by a newer node's migration does not break them.
 */
describe("hot-path statements", () => {
  const postgres = process.env.GATEHOUSE_TEST_DIALECT === "postgres";
  let dir: string;
  let testDb: TestDatabase;
  const opened: OpenedDatabase[] = [];

  /** One connection, so that what the statements left behind is visible from the same session. */
  async function open(namedStatements: boolean): Promise<OpenedDatabase> {
    const db = openDatabase(
      parseDatabaseUrl({
        GATEHOUSE_DATABASE_URL: testDb.url,
        GATEHOUSE_DATABASE_POOL_SIZE: "1",
        GATEHOUSE_DATABASE_NAMED_STATEMENTS: String(namedStatements),
      }),
    );
    opened.push(db);
    return db;
  }

  async function namedOnConnection(db: OpenedDatabase): Promise<string[]> {
    const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements`.execute(db.db);
    return rows.map((r) => r.name);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-named-"));
    testDb = await createTestDatabase(dir);
    const first = await open(true);
    await migrateToLatest(first);
    await insertBareProject(first.db);
    await createSqlStore(first.db).organizations.insertOrganization({
      ...DEFAULT_ORGANIZATION_SETTINGS,
      organization_id: "organization-test-named",
      project_id: "p",
      organization_name: "Named",
      organization_slug: "named",
      organization_logo_url: "",
      organization_external_id: "",
      trusted_metadata: {},
      created_at: 1,
      updated_at: 1,
    });
  });
  after(async () => {
    for (const db of opened) await db.close();
    await testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds an organization again after a newer node's migration adds a column", async () => {
    const db = await open(true);
    const store = createSqlStore(db.db);
    assert.equal(
      (await store.organizations.findOrganization("p", "named"))?.organization_id,
      "organization-test-named",
    );
    if (postgres) {
      assert.ok(
        (await namedOnConnection(db)).some((n) => n.startsWith("gatehouse_")),
        "the look-up is a named statement on this connection",
      );
    }
    // Another node, one release ahead, migrates while this one holds its statements.
    const other = await open(false);
    await sql`alter table organizations add column added_by_a_later_release text`.execute(other.db);
    try {
      for (const key of ["named", "organization-test-named"]) {
        const found = await store.organizations.findOrganization("p", key);
        assert.equal(found?.organization_name, "Named", key);
      }
    } finally {
      await sql`alter table organizations drop column added_by_a_later_release`.execute(other.db);
    }
  });

  it("sends plain unnamed statements when named statements are switched off", async () => {
    const db = await open(false);
    const store = createSqlStore(db.db);
    assert.equal(
      (await store.organizations.findOrganization("p", "NAMED"))?.organization_id,
      "organization-test-named",
    );
    if (postgres) assert.deepEqual(await namedOnConnection(db), []);
  });
});
