import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Migrator, sql } from "kysely";
import { loadConfig } from "../src/config/load.js";
import { ServerKey } from "../src/crypto/server-key.js";
import { type OpenedDatabase, openDatabase } from "../src/storage/dialects.js";
import { migrateToLatest } from "../src/storage/migrate.js";
import { migrationProvider } from "../src/storage/migrations/index.js";
import { createSqlStore } from "../src/storage/store.js";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.js";

/**
 * Upgrades keep data: a database created by the first migration, holding a project, an organization, a member
 * with a password, a session and an email token, is migrated to the latest schema on this run's engine (SQLite
 * or PostgreSQL), and every row is still there and usable through today's repositories.
 */
describe("migrating an existing database to the latest schema", () => {
  let dir: string;
  let testDb: TestDatabase;
  let opened: OpenedDatabase;
  const t0 = Date.parse("2026-01-01T00:00:00Z");

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-upgrade-"));
    testDb = await createTestDatabase(dir);
    const config = loadConfig({
      GATEHOUSE_DATABASE_URL: testDb.url,
      GATEHOUSE_SECRET_KEY: ServerKey.random().export(),
    });
    opened = openDatabase(config.database);
  });

  after(async () => {
    await opened?.close();
    await testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps fixture rows written at 0001 through every later migration", async () => {
    const migrator = new Migrator({ db: opened.db, provider: migrationProvider(opened.dialect) });
    const first = await migrator.migrateTo("0001_initial");
    assert.equal(first.error, undefined);
    assert.deepEqual(
      first.results?.map((r) => r.migrationName),
      ["0001_initial"],
    );

    // Fixture rows in the 0001 schema, written with raw SQL as that version's code would have.
    const db = opened.db;
    await sql`insert into projects (project_id, name, environment, public_token, settings, created_at)
      values ('project-test-00000000-0000-4000-8000-000000000001', 'Old', 'test', 'public-token-test-1', '{}', ${t0})`.execute(
      db,
    );
    await sql`insert into organizations (organization_id, project_id, organization_name, organization_slug, slug_key,
        organization_logo_url, organization_external_id, trusted_metadata, settings, created_at, updated_at)
      values ('organization-test-00000000-0000-4000-8000-000000000001', 'project-test-00000000-0000-4000-8000-000000000001',
        'Old Org', 'Old-Org', 'old-org', '', null, '{"tier":"gold"}', '{"email_jit_provisioning":"RESTRICTED","email_allowed_domains":["old.example"]}', ${t0}, ${t0})`.execute(
      db,
    );
    await sql`insert into members (member_id, project_id, organization_id, email_address, email_id, status, name,
        email_address_verified, is_breakglass, external_id, roles, trusted_metadata, untrusted_metadata,
        member_password_id, password_hash, failed_auth_count, lock_created_at, lock_expires_at, created_at, updated_at)
      values ('member-test-00000000-0000-4000-8000-000000000001', 'project-test-00000000-0000-4000-8000-000000000001',
        'organization-test-00000000-0000-4000-8000-000000000001', 'ada@old.example', 'member-email-test-1', 'active', 'Ada',
        1, 0, 'ext-ada', '["stytch_admin"]', '{}', '{}', 'member-password-test-1', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA',
        0, null, null, ${t0}, ${t0})`.execute(db);
    await sql`insert into sessions (member_session_id, project_id, organization_id, member_id, token_hash, token_salt,
        started_at, last_accessed_at, expires_at, authentication_factors, custom_claims)
      values ('member-session-test-1', 'project-test-00000000-0000-4000-8000-000000000001',
        'organization-test-00000000-0000-4000-8000-000000000001', 'member-test-00000000-0000-4000-8000-000000000001',
        'aa11', 'salt', ${t0}, ${t0}, ${t0 + 3_600_000}, '[]', '{"plan":"pro"}')`.execute(db);
    await sql`insert into email_tokens (token_hash, project_id, kind, purpose, organization_id, member_id, email_address,
        pkce_challenge, created_at, expires_at, consumed_at)
      values ('bb22', 'project-test-00000000-0000-4000-8000-000000000001', 'magic_link', 'login',
        'organization-test-00000000-0000-4000-8000-000000000001', 'member-test-00000000-0000-4000-8000-000000000001',
        'ada@old.example', null, ${t0}, ${t0 + 3_600_000}, null)`.execute(db);

    const latest = await migrateToLatest(opened);
    assert.ok((latest.results ?? []).length >= 1, "later migrations were applied");
    assert.ok(latest.results?.every((r) => r.status === "Success"));

    // Every fixture row reads back through today's repositories.
    const store = createSqlStore(db);
    const project = await store.projects.getProject("project-test-00000000-0000-4000-8000-000000000001");
    assert.equal(project?.name, "Old");
    assert.equal(
      project?.settings.password_policy.strength_policy,
      "zxcvbn",
      "settings saved before defaults existed get today's defaults",
    );
    assert.equal(
      project?.settings.cross_org_passwords,
      false,
      "old projects keep organization-scoped passwords",
    );
    const org = await store.organizations.findOrganization(project!.project_id, "old-org");
    assert.equal(org?.organization_name, "Old Org");
    assert.deepEqual(org?.trusted_metadata, { tier: "gold" });
    assert.deepEqual(org?.email_allowed_domains, ["old.example"]);
    const member = await store.members.findMemberByEmail(org!.organization_id, "ada@old.example");
    assert.equal(member?.member_id, "member-test-00000000-0000-4000-8000-000000000001");
    assert.deepEqual(member?.roles, ["stytch_admin"]);
    assert.equal(member?.external_id, "ext-ada");
    assert.equal(member?.password_hash?.startsWith("$argon2id$"), true);
    const sessions = await store.sessions.listLive(member!.member_id, t0);
    assert.deepEqual(
      sessions.map((s) => [s.member_session_id, s.custom_claims]),
      [["member-session-test-1", { plan: "pro" }]],
    );
    const consumed = await store.emailTokens.consumeToken(
      project!.project_id,
      "magic_link",
      "bb22",
      t0 + 1000,
    );
    assert.equal(consumed.status, "consumed");

    // And the upgraded schema still enforces its invariants: one live member per email in an organization.
    await assert.rejects(
      sql`insert into members (member_id, project_id, organization_id, email_address, email_id, status, name,
          email_address_verified, is_breakglass, external_id, roles, trusted_metadata, untrusted_metadata,
          member_password_id, password_hash, failed_auth_count, lock_created_at, lock_expires_at, created_at, updated_at)
        values ('member-test-dup', 'project-test-00000000-0000-4000-8000-000000000001',
          'organization-test-00000000-0000-4000-8000-000000000001', 'ada@old.example', 'member-email-test-2', 'active', '',
          0, 0, null, '[]', '{}', '{}', null, null, 0, null, null, ${t0}, ${t0})`.execute(db),
    );

    // 0006: a cross-org reset link is bound to an address, not a member; member-bound kinds still need one.
    await store.emailTokens.insertDiscoveryToken(
      {
        token_hash: "cc33",
        project_id: project!.project_id,
        email_address: "ada@old.example",
        pkce_challenge: null,
        created_at: t0,
        expires_at: t0 + 3_600_000,
        consumed_at: null,
      },
      "discovery_password_reset",
    );
    assert.equal(
      (await store.emailTokens.findDiscoveryToken(project!.project_id, "cc33"))?.token_hash,
      undefined,
    );
    await assert.rejects(
      sql`insert into email_tokens (token_hash, project_id, kind, purpose, organization_id, member_id, email_address,
          pkce_challenge, created_at, expires_at, consumed_at)
        values ('dd44', 'project-test-00000000-0000-4000-8000-000000000001', 'password_reset', 'reset_password',
          null, null, 'ada@old.example', null, ${t0}, ${t0 + 3_600_000}, null)`.execute(db),
    );

    // Running the migrations again applies nothing.
    const again = await migrateToLatest(opened);
    assert.deepEqual(again.results, []);
  });
});
