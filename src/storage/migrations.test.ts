import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { type OpenedDatabase, openDatabase } from "./dialects.js";
import { migrateToLatest } from "./migrate.js";

const TABLES = [
  "projects",
  "project_secrets",
  "redirect_urls",
  "signing_keys",
  "organizations",
  "organization_domains",
  "members",
  "email_tokens",
  "intermediate_sessions",
  "sessions",
  "email_outbox",
  "rate_limit_counters",
];

describe("migrations on an empty SQLite file", () => {
  let dir: string;
  let opened: OpenedDatabase;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-migrations-"));
    // A nested path also checks that the database's directory is created.
    opened = openDatabase({ kind: "sqlite", path: join(dir, "nested", "gatehouse.db") });
  });

  after(async () => {
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("migrates up and creates every table", async () => {
    assert.equal(opened.dialect, "sqlite");
    const result = await migrateToLatest(opened);
    assert.equal(result.error, undefined);
    assert.deepEqual(
      result.results?.map((r) => [r.migrationName, r.direction, r.status]),
      [
        ["0001_initial", "Up", "Success"],
        ["0002_discovery", "Up", "Success"],
        ["0003_organization_domains", "Up", "Success"],
        ["0004_member_lifecycle", "Up", "Success"],
        ["0005_counter_window_index", "Up", "Success"],
        ["0006_address_tokens", "Up", "Success"],
      ],
    );
    const rows = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
      opened.db,
    );
    const names = new Set(rows.rows.map((r) => r.name));
    for (const table of TABLES) assert.ok(names.has(table), `table ${table} exists`);
    assert.ok(names.has("kysely_migration"), "the migrator records what it applied");
  });

  it("stores and reads back a project row", async () => {
    const row = {
      project_id: "project-test-11111111-1111-4111-8111-111111111111",
      name: "Test project",
      environment: "test" as const,
      public_token: "public-token-test-11111111-1111-4111-8111-111111111111",
      settings: JSON.stringify({ lockout: { max_failed_attempts: 10 } }),
      created_at: 1_700_000_000_123,
    };
    await opened.db.insertInto("projects").values(row).execute();
    const read = await opened.db
      .selectFrom("projects")
      .selectAll()
      .where("project_id", "=", row.project_id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(read, row);
    assert.equal(typeof read.created_at, "number");

    // public_token is unique.
    await assert.rejects(
      opened.db
        .insertInto("projects")
        .values({ ...row, project_id: "project-test-22222222-2222-4222-8222-222222222222" })
        .execute(),
      /UNIQUE/,
    );
  });

  it("enforces foreign keys", async () => {
    await assert.rejects(
      opened.db
        .insertInto("project_secrets")
        .values({
          secret_id: "secret-id-test-x",
          project_id: "project-test-does-not-exist",
          secret_hash: "h",
          last_four: "abcd",
          created_at: 0,
        })
        .execute(),
      /FOREIGN KEY/,
    );
  });

  it("is idempotent: a second run applies nothing and keeps the data", async () => {
    const result = await migrateToLatest(opened);
    assert.equal(result.error, undefined);
    assert.deepEqual(result.results, []);
    const count = await opened.db
      .selectFrom("projects")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1);
  });

  it("sets journal_mode=wal, foreign_keys=1 and synchronous=FULL on its connection", async () => {
    const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(opened.db);
    assert.deepEqual(journal.rows, [{ journal_mode: "wal" }]);
    const foreignKeys = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(opened.db);
    assert.deepEqual(foreignKeys.rows, [{ foreign_keys: 1 }]);
    const synchronous = await sql<{ synchronous: number }>`pragma synchronous`.execute(opened.db);
    assert.deepEqual(synchronous.rows, [{ synchronous: 2 }]);
    const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(opened.db);
    assert.deepEqual(busy.rows, [{ timeout: 5000 }]);
  });
});
