import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { OrganizationFilter, OrganizationSearch } from "../../organizations/organization-search.js";
import type { Database } from "../database.js";

/**
 * organizations.search as SQL: every filter becomes a parameterised expression over `organizations` (values are
 * bound, never spliced), combined with AND or OR; the caller adds the project scope. Portable to SQLite and
 * PostgreSQL: fuzzy matching is `lower(column) LIKE pattern ESCAPE '!'` (PostgreSQL's LIKE is case-sensitive,
 * SQLite's is not: lower() on both sides makes them agree), with the user's `%`, `_` and `!` escaped so they
 * match literally instead of as wildcards.
 */
type Eb = ExpressionBuilder<Database, "organizations">;

export function searchCondition(eb: Eb, search: OrganizationSearch): Expression<SqlBool> {
  // No operands: no filtering (Stytch), whichever the operator.
  if (search.filters.length === 0) return sql<SqlBool>`1 = 1`;
  const parts = search.filters.map((filter) => filterCondition(eb, filter));
  return search.operator === "AND" ? eb.and(parts) : eb.or(parts);
}

/** Strictly after the cursor's position in the (created_at, organization_id) order. */
export function afterCondition(eb: Eb, after: { created_at: number; organization_id: string }) {
  return eb.or([
    eb("organizations.created_at", ">", after.created_at),
    eb.and([
      eb("organizations.created_at", "=", after.created_at),
      eb("organizations.organization_id", ">", after.organization_id),
    ]),
  ]);
}

function filterCondition(eb: Eb, filter: OrganizationFilter): Expression<SqlBool> {
  switch (filter.name) {
    case "organization_ids":
      return eb("organizations.organization_id", "in", [...filter.values]);
    case "organization_slugs":
      return eb("organizations.slug_key", "in", [...filter.values]);
    case "organization_name_fuzzy":
      return sql<SqlBool>`lower(${eb.ref("organizations.organization_name")}) like ${contains(filter.value)} escape '!'`;
    case "organization_slug_fuzzy":
      return sql<SqlBool>`${eb.ref("organizations.slug_key")} like ${contains(filter.value)} escape '!'`;
    case "member_emails":
      return eb.exists(liveMembers(eb).where("members.email_address", "in", [...filter.values]));
    case "member_email_fuzzy":
      return eb.exists(
        liveMembers(eb).where(
          sql<SqlBool>`${sql.ref("members.email_address")} like ${contains(filter.value)} escape '!'`,
        ),
      );
    case "allowed_domains":
      return eb.exists(domains(eb, "allowed").where("organization_domains.domain", "in", [...filter.values]));
    case "claimed_email_domains":
      return eb.exists(domains(eb, "claimed").where("organization_domains.domain", "in", [...filter.values]));
    case "allowed_domain_fuzzy":
      return eb.exists(
        domains(eb, "allowed").where(
          sql<SqlBool>`${sql.ref("organization_domains.domain")} like ${contains(filter.value)} escape '!'`,
        ),
      );
    // Gatehouse has no SSO connections: no organization has an active one, none has a given connection id.
    case "has_active_sso_connection":
      return filter.flag ? sql<SqlBool>`1 = 0` : sql<SqlBool>`1 = 1`;
    case "sso_connection_id":
      return sql<SqlBool>`1 = 0`;
  }
}

/** Members of the outer organization that are not deleted (a deleted member no longer belongs to it). */
function liveMembers(eb: Eb) {
  return eb
    .selectFrom("members")
    .select(sql`1`.as("one"))
    .whereRef("members.organization_id", "=", "organizations.organization_id")
    .where("members.status", "<>", "deleted");
}

function domains(eb: Eb, kind: "allowed" | "claimed") {
  return eb
    .selectFrom("organization_domains")
    .select(sql`1`.as("one"))
    .whereRef("organization_domains.organization_id", "=", "organizations.organization_id")
    .where("organization_domains.kind", "=", kind);
}

/** A LIKE pattern matching `value` anywhere, with LIKE's own characters (and the escape) taken literally. */
function contains(value: string): string {
  return `%${value.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}
