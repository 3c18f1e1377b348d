import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import SqliteDatabase from "better-sqlite3";
import { createTestDatabase, insertBareProject, type TestDatabase } from "../../test/helpers/databases.js";
import { parseDatabaseUrl } from "../config/load.js";
import { affectsAnswers, ChangeCounter } from "./change-feed.js";
import { type OpenedDatabase, openDatabase } from "./dialects.js";
import { migrateToLatest } from "./migrate.js";

describe("affectsAnswers", () => {
  const cases: [string, boolean][] = [
    ['select * from "sessions"', false],
    ["  SELECT 1", false],
    ["begin immediate", false],
    ["commit", false],
    ["pragma data_version", false],
    ['update "members" set "name" = ? where "member_id" = ?', true],
    ['delete from "project_secrets" where "secret_id" = ?', true],
    ['insert into "project_secrets" ("secret_id", "project_id") values (?, ?)', false],
    ['update "organizations" set "settings" = $1 where "organization_id" = $2', true],
    ['delete from "sessions" where "member_session_id" = ?', true],
    ['update "sessions" set "expires_at" = ?, "custom_claims" = ? where "member_session_id" = ?', true],
    ['update "projects" set "settings" = ? where "project_id" = ?', true],
    // A new row no kept answer holds…
    ['insert into "sessions" ("member_session_id") values (?)', false],
    ['insert into "members" ("member_id") values ($1)', false],
    // …except a new signing key, and an upsert, which may rewrite a row.
    ['insert into "signing_keys" ("kid") values (?)', true],
    [
      'insert into "members" ("member_id") values (?) on conflict ("member_id") do update set "name" = ?',
      true,
    ],
    // The access-time write-behind only moves last_accessed_at.
    [
      'update "sessions" set "last_accessed_at" = ? where "member_session_id" = ? and "last_accessed_at" < ?',
      false,
    ],
    ['update "sessions" set "last_accessed_at" = $1 where "member_session_id" = $2', false],
    // Tables no answer is made of.
    [
      'insert into "rate_limit_counters" ("key") values (?) on conflict ("key") do update set "count" = 1',
      false,
    ],
    ['delete from "email_tokens" where "token_hash" = ?', false],
    ['update "email_outbox" set "sent_at" = ?', false],
    // Anything unrecognised counts.
    ["create table x (a int)", true],
    ['with d as (delete from "sessions" returning 1) select count(*) from d', true],
  ];
  for (const [sql, expected] of cases) {
    it(`${expected ? "counts" : "ignores"}: ${sql}`, () => assert.equal(affectsAnswers(sql), expected));
  }
});

describe("ChangeCounter", () => {
  const nextTurn = () => new Promise((r) => setImmediate(r));

  it("reads the external source once per event-loop turn and counts a change of it from the next turn", async () => {
    let external = 1;
    let reads = 0;
    const counter = new ChangeCounter(() => {
      reads++;
      return external;
    });
    const first = counter.version();
    assert.equal(counter.version(), first);
    assert.equal(reads, 1);
    external = 2; // another process commits
    assert.equal(counter.version(), first, "within the turn, the value read at its start stands");
    await nextTurn();
    const second = counter.version();
    assert.notEqual(second, first);
    assert.equal(reads, 2);
    await nextTurn();
    assert.equal(counter.version(), second, "an unchanged source moves nothing");
  });

  it("counts this process's own writes at once, within the turn", () => {
    const counter = new ChangeCounter(() => 1);
    const first = counter.version();
    counter.bump();
    assert.notEqual(counter.version(), first);
  });

  it("is null while blind, and moves on when it can see again", () => {
    const counter = new ChangeCounter();
    const first = counter.version();
    counter.setBlind(true);
    assert.equal(counter.version(), null);
    counter.setBlind(false);
    assert.notEqual(counter.version(), first);
  });
});

describe("change feed", () => {
  let dir: string;
  let testDb: TestDatabase;
  let opened: OpenedDatabase;
  const postgres = process.env.GATEHOUSE_TEST_DIALECT === "postgres";

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-changes-"));
    testDb = await createTestDatabase(dir);
    opened = openDatabase(parseDatabaseUrl({ GATEHOUSE_DATABASE_URL: testDb.url }));
    await migrateToLatest(opened);
    await insertBareProject(opened.db);
  });
  after(async () => {
    await opened?.close();
    await testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The version, once the feed can tell (PostgreSQL's listener connects on first use). */
  async function settledVersion(): Promise<number> {
    for (let i = 0; i < 200; i++) {
      const v = opened.changes.version();
      if (v !== null) return v;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error("the change feed never became able to tell");
  }

  const rename = (name: string) =>
    opened.db.updateTable("projects").set({ name }).where("project_id", "=", "p").execute();

  it("moves after a committed write, not after a read", async () => {
    const before = await settledVersion();
    await opened.db.selectFrom("projects").selectAll().execute();
    assert.equal(opened.changes.version(), before);
    await rename("Q");
    assert.notEqual(opened.changes.version(), before);
  });

  it("moves at COMMIT for a write inside a transaction, and not at all for a rolled-back one", async () => {
    const before = await settledVersion();
    await opened.db.transaction().execute(async (trx) => {
      await trx.updateTable("projects").set({ name: "R" }).where("project_id", "=", "p").execute();
      assert.equal(opened.changes.version(), before, "not yet: the write is not committed");
    });
    const committed = opened.changes.version();
    assert.notEqual(committed, before);

    await assert.rejects(
      opened.db.transaction().execute(async (trx) => {
        await trx.updateTable("projects").set({ name: "S" }).where("project_id", "=", "p").execute();
        throw new Error("roll back");
      }),
    );
    assert.equal(opened.changes.version(), committed);
  });

  it("passes savepoints through, counting what they wrapped at COMMIT", async () => {
    const before = await settledVersion();
    const trx = await opened.db.startTransaction().execute();
    const point = await trx.savepoint("inner").execute();
    await point.updateTable("projects").set({ name: "U" }).where("project_id", "=", "p").execute();
    await point.releaseSavepoint("inner").execute();
    assert.equal(opened.changes.version(), before);
    await trx.commit().execute();
    assert.notEqual(opened.changes.version(), before);
    const row = await opened.db
      .selectFrom("projects")
      .select("name")
      .where("project_id", "=", "p")
      .executeTakeFirst();
    assert.equal(row?.name, "U");
  });

  it("moves when another process commits to the same database", async () => {
    const before = await settledVersion();
    if (postgres) {
      // Another node: its own pool and listener, announcing its commits with NOTIFY.
      const other = openDatabase(parseDatabaseUrl({ GATEHOUSE_DATABASE_URL: testDb.url }));
      try {
        await other.db.updateTable("projects").set({ name: "T" }).where("project_id", "=", "p").execute();
      } finally {
        await other.close();
      }
      // The notification arrives asynchronously (normally within a millisecond or two).
      for (let i = 0; i < 200 && opened.changes.version() === before; i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
    } else {
      // A second connection to the same file, as another node or the CLI has.
      const other = new SqliteDatabase(testDb.url.replace(/^sqlite:/, ""));
      try {
        other.prepare("update projects set name = 'T' where project_id = 'p'").run();
      } finally {
        other.close();
      }
      // data_version is read at most once per event-loop turn (ChangeCounter): the write shows from the next.
      await new Promise((r) => setImmediate(r));
    }
    assert.notEqual(opened.changes.version(), before);
  });
});
