import { columnTypes, type Dialect, type MigrationDb } from "./column-types.js";

/**
 * Initial schema. Immutable once released: later changes get a new migration.
 * Uniqueness invariants live in the database (slug and external id per project, email per organization,
 * token hashes) so concurrent writers cannot break them.
 */
export async function up(db: MigrationDb, dialect: Dialect): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema
    .createTable("projects")
    .addColumn("project_id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("environment", "text", (c) => c.notNull())
    .addColumn("public_token", "text", (c) => c.notNull().unique())
    .addColumn("settings", "text", (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("project_secrets")
    .addColumn("secret_id", "text", (c) => c.primaryKey())
    .addColumn("project_id", "text", (c) => c.notNull().references("projects.project_id").onDelete("cascade"))
    .addColumn("secret_hash", "text", (c) => c.notNull().unique())
    .addColumn("last_four", "text", (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("project_secrets_project").on("project_secrets").column("project_id").execute();

  await db.schema
    .createTable("redirect_urls")
    .addColumn("project_id", "text", (c) => c.notNull().references("projects.project_id").onDelete("cascade"))
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("is_default", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint("redirect_urls_pk", ["project_id", "type", "url"])
    .execute();

  await db.schema
    .createTable("signing_keys")
    .addColumn("kid", "text", (c) => c.primaryKey())
    .addColumn("project_id", "text", (c) => c.notNull().references("projects.project_id").onDelete("cascade"))
    .addColumn("private_jwk", "text", (c) => c.notNull())
    .addColumn("public_jwk", "text", (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("retired_at", t.timestamp)
    .execute();
  await db.schema.createIndex("signing_keys_project").on("signing_keys").column("project_id").execute();

  await db.schema
    .createTable("organizations")
    .addColumn("organization_id", "text", (c) => c.primaryKey())
    .addColumn("project_id", "text", (c) => c.notNull().references("projects.project_id").onDelete("cascade"))
    .addColumn("organization_name", "text", (c) => c.notNull())
    .addColumn("organization_slug", "text", (c) => c.notNull())
    .addColumn("slug_key", "text", (c) => c.notNull())
    .addColumn("organization_logo_url", "text", (c) => c.notNull())
    .addColumn("organization_external_id", "text")
    .addColumn("trusted_metadata", "text", (c) => c.notNull())
    .addColumn("settings", "text", (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("updated_at", t.timestamp, (c) => c.notNull())
    .addUniqueConstraint("organizations_slug_unique", ["project_id", "slug_key"])
    .addUniqueConstraint("organizations_external_id_unique", ["project_id", "organization_external_id"])
    .execute();

  await db.schema
    .createTable("members")
    .addColumn("member_id", "text", (c) => c.primaryKey())
    .addColumn("project_id", "text", (c) => c.notNull())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.organization_id").onDelete("cascade"),
    )
    .addColumn("email_address", "text", (c) => c.notNull())
    .addColumn("email_id", "text", (c) => c.notNull().unique())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("email_address_verified", "integer", (c) => c.notNull())
    .addColumn("is_breakglass", "integer", (c) => c.notNull())
    .addColumn("external_id", "text")
    .addColumn("roles", "text", (c) => c.notNull())
    .addColumn("trusted_metadata", "text", (c) => c.notNull())
    .addColumn("untrusted_metadata", "text", (c) => c.notNull())
    .addColumn("member_password_id", "text")
    .addColumn("password_hash", "text")
    .addColumn("failed_auth_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("lock_created_at", t.timestamp)
    .addColumn("lock_expires_at", t.timestamp)
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("updated_at", t.timestamp, (c) => c.notNull())
    .addUniqueConstraint("members_email_unique", ["organization_id", "email_address"])
    .addUniqueConstraint("members_external_id_unique", ["organization_id", "external_id"])
    .execute();
  await db.schema.createIndex("members_project").on("members").column("project_id").execute();

  await db.schema
    .createTable("email_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("project_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("organization_id", "text", (c) => c.notNull())
    .addColumn("member_id", "text", (c) => c.notNull().references("members.member_id").onDelete("cascade"))
    .addColumn("email_address", "text", (c) => c.notNull())
    .addColumn("pkce_challenge", "text")
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("expires_at", t.timestamp, (c) => c.notNull())
    .addColumn("consumed_at", t.timestamp)
    .execute();
  await db.schema.createIndex("email_tokens_member").on("email_tokens").column("member_id").execute();
  await db.schema.createIndex("email_tokens_expires").on("email_tokens").column("expires_at").execute();

  await db.schema
    .createTable("sessions")
    .addColumn("member_session_id", "text", (c) => c.primaryKey())
    .addColumn("project_id", "text", (c) => c.notNull())
    .addColumn("organization_id", "text", (c) => c.notNull())
    .addColumn("member_id", "text", (c) => c.notNull().references("members.member_id").onDelete("cascade"))
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("token_salt", "text", (c) => c.notNull())
    .addColumn("started_at", t.timestamp, (c) => c.notNull())
    .addColumn("last_accessed_at", t.timestamp, (c) => c.notNull())
    .addColumn("expires_at", t.timestamp, (c) => c.notNull())
    .addColumn("authentication_factors", "text", (c) => c.notNull())
    .addColumn("custom_claims", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_member").on("sessions").column("member_id").execute();
  await db.schema.createIndex("sessions_expires").on("sessions").column("expires_at").execute();

  await t
    .autoIncrementId(db.schema.createTable("email_outbox"), "id")
    .addColumn("project_id", "text")
    .addColumn("to_address", "text", (c) => c.notNull())
    .addColumn("from_address", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("text_body", "text", (c) => c.notNull())
    .addColumn("html_body", "text", (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("email_outbox_to").on("email_outbox").columns(["to_address", "id"]).execute();

  await db.schema
    .createTable("rate_limit_counters")
    .addColumn("bucket", "text", (c) => c.primaryKey())
    .addColumn("window_start", t.timestamp, (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of [
    "rate_limit_counters",
    "email_outbox",
    "sessions",
    "email_tokens",
    "members",
    "organizations",
    "signing_keys",
    "redirect_urls",
    "project_secrets",
    "projects",
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
