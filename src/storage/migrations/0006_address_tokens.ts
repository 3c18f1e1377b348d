import { sql } from "kysely";
import type { Dialect, MigrationDb } from "./column-types.js";

/**
 * Cross-org passwords (issue 3): the discovery password-reset link is, like the discovery magic link, sent to
 * an address rather than to a member, so it has no organization or member either.
 *
 * - The CHECK of 0002 (member-bound unless kind = 'discovery') also exempts kind 'discovery_password_reset'.
 *   PostgreSQL replaces the constraint; SQLite cannot alter one, so there the table is rebuilt from its stored
 *   definition with only the CHECK expression changed (nothing references email_tokens, so dropping it
 *   cascades nowhere), in one transaction (Kysely runs SQLite migrations outside one).
 * - email_tokens_address (project_id, email_address): a password change in cross-org mode invalidates every
 *   unused reset link of the address, which must not scan the table.
 *
 * Forward-only: a narrower CHECK could not return while such links exist.
 */
const OLD_CHECK = `check (kind = 'discovery' or (organization_id is not null and member_id is not null))`;
const NEW_CHECK = `check (kind in ('discovery', 'discovery_password_reset') or (organization_id is not null and member_id is not null))`;

export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  if (dialect === "postgres") {
    await sql`alter table email_tokens drop constraint email_tokens_member_bound`.execute(db);
    await sql
      .raw(`alter table email_tokens add constraint email_tokens_member_bound ${NEW_CHECK}`)
      .execute(db);
  } else {
    await rebuildSqliteEmailTokens(db);
  }
  await db.schema
    .createIndex("email_tokens_address")
    .on("email_tokens")
    .columns(["project_id", "email_address"])
    .execute();
}

async function rebuildSqliteEmailTokens(db: MigrationDb): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const table = await sql<{
      sql: string;
    }>`select sql from sqlite_master where type = 'table' and name = 'email_tokens'`.execute(trx);
    const ddl = table.rows[0]?.sql ?? "";
    if (!ddl.startsWith(`CREATE TABLE "email_tokens" (`) || !ddl.includes(OLD_CHECK)) {
      throw new Error("unexpected email_tokens table definition");
    }
    const rebuilt = ddl
      .replace(`CREATE TABLE "email_tokens"`, `CREATE TABLE "email_tokens_rebuild"`)
      .replace(OLD_CHECK, NEW_CHECK);
    const indexes = await sql<{
      sql: string;
    }>`select sql from sqlite_master where type = 'index' and tbl_name = 'email_tokens' and sql is not null`.execute(
      trx,
    );
    await sql.raw(rebuilt).execute(trx);
    await sql`insert into email_tokens_rebuild select * from email_tokens`.execute(trx);
    await sql`drop table email_tokens`.execute(trx);
    await sql`alter table email_tokens_rebuild rename to email_tokens`.execute(trx);
    for (const index of indexes.rows) await sql.raw(index.sql).execute(trx);
  });
}
