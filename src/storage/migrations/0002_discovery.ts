import { sql } from "kysely";
import { columnTypes, type Dialect, type MigrationDb } from "./column-types.js";

/**
 * Discovery (issue 3): discovery magic links and intermediate sessions.
 *
 * - email_tokens gets a third kind, "discovery": a link sent to an address, not to a member, so its
 *   organization_id and member_id become nullable. A CHECK keeps them required for every other kind.
 *   SQLite cannot drop NOT NULL in place, so there the table is rebuilt (nothing references it).
 * - intermediate_sessions holds intermediate session tokens (ISTs): only the SHA-256 of the token, bound to a
 *   project and an email address, with the factors that proved the address, single-use.
 *
 * Forward-only (no `down`): turning the columns back to NOT NULL would have to delete discovery links.
 */
const MEMBER_TOKEN_CHECK = sql`kind = 'discovery' or (organization_id is not null and member_id is not null)`;

export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);

  if (dialect === "postgres") {
    await db.schema
      .alterTable("email_tokens")
      .alterColumn("organization_id", (c) => c.dropNotNull())
      .execute();
    await db.schema
      .alterTable("email_tokens")
      .alterColumn("member_id", (c) => c.dropNotNull())
      .execute();
    await db.schema
      .alterTable("email_tokens")
      .addCheckConstraint("email_tokens_member_bound", MEMBER_TOKEN_CHECK)
      .execute();
  } else {
    // One transaction, so a crash mid-rebuild leaves the old table in place (Kysely runs SQLite migrations
    // outside a transaction).
    await db.transaction().execute(async (trx) => {
      await trx.schema
        .createTable("email_tokens_v2")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("project_id", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("purpose", "text", (c) => c.notNull())
        .addColumn("organization_id", "text")
        .addColumn("member_id", "text", (c) => c.references("members.member_id").onDelete("cascade"))
        .addColumn("email_address", "text", (c) => c.notNull())
        .addColumn("pkce_challenge", "text")
        .addColumn("created_at", t.timestamp, (c) => c.notNull())
        .addColumn("expires_at", t.timestamp, (c) => c.notNull())
        .addColumn("consumed_at", t.timestamp)
        .addCheckConstraint("email_tokens_member_bound", MEMBER_TOKEN_CHECK)
        .execute();
      await sql`insert into email_tokens_v2 (token_hash, project_id, kind, purpose, organization_id, member_id,
        email_address, pkce_challenge, created_at, expires_at, consumed_at)
        select token_hash, project_id, kind, purpose, organization_id, member_id, email_address, pkce_challenge,
        created_at, expires_at, consumed_at from email_tokens`.execute(trx);
      await trx.schema.dropTable("email_tokens").execute();
      await trx.schema.alterTable("email_tokens_v2").renameTo("email_tokens").execute();
      await trx.schema.createIndex("email_tokens_member").on("email_tokens").column("member_id").execute();
      await trx.schema.createIndex("email_tokens_expires").on("email_tokens").column("expires_at").execute();
    });
  }

  await db.schema
    .createTable("intermediate_sessions")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("project_id", "text", (c) => c.notNull().references("projects.project_id").onDelete("cascade"))
    .addColumn("email_address", "text", (c) => c.notNull())
    .addColumn("authentication_factors", "text", (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("expires_at", t.timestamp, (c) => c.notNull())
    .addColumn("consumed_at", t.timestamp)
    .execute();
  // Discovery looks an address up across the project's organizations.
  await db.schema
    .createIndex("members_project_email")
    .on("members")
    .columns(["project_id", "email_address"])
    .execute();
  await db.schema
    .createIndex("intermediate_sessions_expires")
    .on("intermediate_sessions")
    .column("expires_at")
    .execute();
}
