import type { Dialect, MigrationDb } from "./column-types.js";

/**
 * Organization search (issue 3): `organization_domains` indexes each organization's `email_allowed_domains`
 * (kind "allowed") and `claimed_email_domains` (kind "claimed"), which otherwise live only inside the settings
 * JSON, so the allowed_domains / claimed_email_domains / allowed_domain_fuzzy filters are plain parameterised
 * SQL on both engines. The settings JSON stays the source the API returns; the repository rewrites these rows
 * with every insert and update, in the same transaction. Rows go with their organization (cascade).
 */
export async function up(db: MigrationDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("organization_domains")
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.organization_id").onDelete("cascade"),
    )
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("domain", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("organization_domains_pk", ["organization_id", "kind", "domain"])
    .execute();
  await db.schema
    .createIndex("organization_domains_domain")
    .on("organization_domains")
    .columns(["kind", "domain"])
    .execute();

  // Existing organizations: index what their settings already hold (lower-cased, as the repository writes).
  const orgs: { organization_id: string; settings: string }[] = await db
    .selectFrom("organizations")
    .select(["organization_id", "settings"])
    .execute();
  for (const org of orgs) {
    const settings = JSON.parse(org.settings) as Record<string, unknown>;
    const rows = [
      ...domainRows(org.organization_id, "allowed", settings.email_allowed_domains),
      ...domainRows(org.organization_id, "claimed", settings.claimed_email_domains),
    ];
    if (rows.length > 0) await db.insertInto("organization_domains").values(rows).execute();
  }
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable("organization_domains").ifExists().execute();
}

function domainRows(organizationId: string, kind: string, domains: unknown) {
  const list = Array.isArray(domains) ? domains.filter((d): d is string => typeof d === "string") : [];
  return [...new Set(list.map((d) => d.toLowerCase()))].map((domain) => ({
    organization_id: organizationId,
    kind,
    domain,
  }));
}
