import { sql } from "kysely";
import type { Dialect, MigrationDb } from "./column-types.js";

/**
 * Member lifecycle (issue 3, members):
 * - A deleted member no longer holds its email address or external id: another member of the organization
 *   may take them (Stytch's reactivation refuses when that happened). The whole-table unique constraints of
 *   0001 become unique indexes over the members that are not deleted.
 * - `retired_email_addresses`: JSON array of `{email_id, email_address}`, the addresses a member had before an
 *   email change.
 *
 * SQLite cannot drop a table constraint, so there the table is rebuilt (the documented 12-step procedure):
 * foreign keys are switched off for the connection so that dropping the old table neither cascades into
 * sessions and email tokens nor fails; the copy is checked with foreign_key_check before it commits. The new
 * table's definition is the stored one minus the two constraints, so columns added by earlier migrations
 * survive.
 * There is no down step: once a deleted member's address has been reused, the old constraints cannot return.
 */
const CONSTRAINTS = [
  `, constraint "members_email_unique" unique ("organization_id", "email_address")`,
  `, constraint "members_external_id_unique" unique ("organization_id", "external_id")`,
];

export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  if (dialect === "postgres") {
    await sql`alter table members drop constraint members_email_unique`.execute(db);
    await sql`alter table members drop constraint members_external_id_unique`.execute(db);
  } else {
    await rebuildSqliteMembers(db);
  }
  await sql`create unique index members_live_email_unique on members (organization_id, email_address) where status <> 'deleted'`.execute(
    db,
  );
  await sql`create unique index members_live_external_id_unique on members (organization_id, external_id) where status <> 'deleted'`.execute(
    db,
  );
  // Lookups by email and by external id include deleted members too (they prefer live ones).
  await db.schema
    .createIndex("members_org_email")
    .on("members")
    .columns(["organization_id", "email_address"])
    .execute();
  await db.schema
    .createIndex("members_org_external_id")
    .on("members")
    .columns(["organization_id", "external_id"])
    .execute();
  await db.schema
    .alterTable("members")
    .addColumn("retired_email_addresses", "text", (c) => c.notNull().defaultTo("[]"))
    .execute();
}

async function rebuildSqliteMembers(db: MigrationDb): Promise<void> {
  const table = await sql<{
    sql: string;
  }>`select sql from sqlite_master where type = 'table' and name = 'members'`.execute(db);
  let ddl = table.rows[0]?.sql ?? "";
  for (const constraint of CONSTRAINTS) {
    if (!ddl.includes(constraint)) throw new Error(`members table has no ${constraint.slice(2)}`);
    ddl = ddl.replace(constraint, "");
  }
  ddl = ddl.replace(/^CREATE TABLE "members"/, `CREATE TABLE "members_rebuild"`);
  if (!ddl.startsWith(`CREATE TABLE "members_rebuild"`))
    throw new Error("unexpected members table definition");
  const indexes = await sql<{
    sql: string;
  }>`select sql from sqlite_master where type = 'index' and tbl_name = 'members' and sql is not null`.execute(
    db,
  );

  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql`begin immediate`.execute(db);
    try {
      await sql.raw(ddl).execute(db);
      await sql`insert into members_rebuild select * from members`.execute(db);
      await sql`drop table members`.execute(db);
      await sql`alter table members_rebuild rename to members`.execute(db);
      for (const index of indexes.rows) await sql.raw(index.sql).execute(db);
      const broken = await sql`pragma foreign_key_check`.execute(db);
      if (broken.rows.length > 0) throw new Error("foreign key check failed after rebuilding members");
      await sql`commit`.execute(db);
    } catch (error) {
      await sql`rollback`.execute(db);
      throw error;
    }
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
