import type { Kysely, Selectable } from "kysely";
import { AuthError } from "../../errors/auth-error.js";
import {
  DEFAULT_ORGANIZATION_SETTINGS,
  type Organization,
  type OrganizationSettings,
} from "../../organizations/organization.js";
import type { OrganizationSearch } from "../../organizations/organization-search.js";
import type { OrganizationsStore } from "../../organizations/organizations-store.js";
import type { Database, OrganizationTable } from "../database.js";
import { isUniqueViolation, uniqueViolationTarget } from "../dialects.js";
import { parseJson, toJson } from "./json.js";
import { afterCondition, searchCondition } from "./organizations-search-query.js";
import { type ListsEveryColumn, preparedQuery } from "./prepared.js";

/**
 * Every column of the organizations table. Queries that PostgreSQL may keep as named prepared statements list
 * their columns instead of `SELECT *`: a statement whose result columns change under it (a migration adding
 * one) fails on every connection that prepared it (dialects.ts). The check below fails the build when a
 * migration adds a column that is not listed here.
 */
export const ORGANIZATION_COLUMNS = [
  "organization_id",
  "project_id",
  "organization_name",
  "organization_slug",
  "slug_key",
  "organization_logo_url",
  "organization_external_id",
  "trusted_metadata",
  "settings",
  "created_at",
  "updated_at",
] as const satisfies readonly (keyof OrganizationTable)[];
const everyOrganizationColumn: ListsEveryColumn<OrganizationTable, typeof ORGANIZATION_COLUMNS> = true;
void everyOrganizationColumn;

/**
 * An organization by id, slug or external id: one query over three index probes, the primary key, the (project,
 * slug_key) unique index and the (project, external id) unique index. project_id is repeated inside each
 * alternative so that every one of them is an index look-up on its own: with `project_id = ? AND (a OR b OR
 * c)`, SQLite scanned every organization of the project through the project_id prefix (found by `npm run
 * bench:scale`). Compiled once (preparedQuery): building and compiling it was a fifth of an organizations/get.
 * No LIMIT: at most three rows can match, and with `LIMIT ?` added the same plan ran at half the speed here.
 */
const findOrganizationQuery = preparedQuery(["projectId", "key", "slugKey"], (db, v) =>
  db
    .selectFrom("organizations")
    .select(ORGANIZATION_COLUMNS)
    .where((eb) =>
      eb.or([
        eb.and([eb("organization_id", "=", v.key), eb("project_id", "=", v.projectId)]),
        eb.and([eb("project_id", "=", v.projectId), eb("slug_key", "=", v.slugKey)]),
        eb.and([eb("project_id", "=", v.projectId), eb("organization_external_id", "=", v.key)]),
      ]),
    )
    // An exact id wins over a slug that happens to look like one.
    .orderBy((eb) => eb.case().when("organization_id", "=", v.key).then(0).else(1).end()),
);

const SETTING_KEYS = Object.keys(DEFAULT_ORGANIZATION_SETTINGS) as (keyof OrganizationSettings)[];

export function toOrganization(row: Selectable<OrganizationTable>): Organization {
  return {
    ...DEFAULT_ORGANIZATION_SETTINGS,
    ...parseJson<Partial<OrganizationSettings>>(row.settings),
    organization_id: row.organization_id,
    project_id: row.project_id,
    organization_name: row.organization_name,
    organization_slug: row.organization_slug,
    organization_logo_url: row.organization_logo_url,
    organization_external_id: row.organization_external_id,
    trusted_metadata: parseJson(row.trusted_metadata),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function settingsOf(org: Organization): string {
  const settings: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) settings[key] = org[key];
  return toJson(settings);
}

/** Every column an update may write (all but the ids and created_at). */
function columnsOf(org: Organization) {
  return {
    organization_name: org.organization_name,
    organization_slug: org.organization_slug,
    slug_key: org.organization_slug.toLowerCase(),
    organization_logo_url: org.organization_logo_url,
    organization_external_id: org.organization_external_id,
    trusted_metadata: toJson(org.trusted_metadata),
    settings: settingsOf(org),
    updated_at: org.updated_at,
  };
}

/** The organization_domains search rows of `org` (0003): its allowed and claimed domains, lower-cased. */
async function writeDomains(db: Kysely<Database>, org: Organization): Promise<void> {
  const rows = (
    [
      ["allowed", org.email_allowed_domains],
      ["claimed", org.claimed_email_domains],
    ] as const
  ).flatMap(([kind, domains]) =>
    [...new Set(domains.map((d) => d.toLowerCase()))].map((domain) => ({
      organization_id: org.organization_id,
      kind,
      domain,
    })),
  );
  if (rows.length > 0) await db.insertInto("organization_domains").values(rows).execute();
}

function mapUniqueViolation(error: unknown): unknown {
  if (!isUniqueViolation(error)) return error;
  const target = uniqueViolationTarget(error);
  return new AuthError(
    target.includes("external_id")
      ? "organization_external_id_already_used"
      : "organization_slug_already_used",
    { cause: error },
  );
}

export class OrganizationsRepository implements OrganizationsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertOrganization(org: Organization): Promise<void> {
    await this.atomically(async (db) => {
      try {
        await db
          .insertInto("organizations")
          .values({
            organization_id: org.organization_id,
            project_id: org.project_id,
            ...columnsOf(org),
            created_at: org.created_at,
          })
          .execute();
      } catch (error) {
        throw mapUniqueViolation(error);
      }
      await writeDomains(db, org);
    });
  }

  async updateOrganization(
    projectId: string,
    organizationId: string,
    change: (current: Organization) => Organization,
  ): Promise<Organization | null> {
    return this.atomically(async (db) => {
      // Lock first, read second: a no-op write takes the row lock on PostgreSQL (a concurrent updater waits
      // here until this transaction ends, then reads what it committed); SQLite's BEGIN IMMEDIATE already
      // holds the database's write lock. Portable, unlike SELECT … FOR UPDATE.
      const locked = await db
        .updateTable("organizations")
        .set((eb) => ({ updated_at: eb.ref("updated_at") }))
        .where("project_id", "=", projectId)
        .where("organization_id", "=", organizationId)
        .executeTakeFirst();
      if (locked.numUpdatedRows === 0n) return null;
      const row = await db
        .selectFrom("organizations")
        .selectAll()
        .where("organization_id", "=", organizationId)
        .executeTakeFirstOrThrow();
      const next = change(toOrganization(row));
      try {
        await db
          .updateTable("organizations")
          .set(columnsOf(next))
          .where("organization_id", "=", organizationId)
          .execute();
      } catch (error) {
        throw mapUniqueViolation(error);
      }
      await db.deleteFrom("organization_domains").where("organization_id", "=", organizationId).execute();
      await writeDomains(db, next);
      return next;
    });
  }

  async deleteOrganization(projectId: string, organizationId: string): Promise<boolean> {
    // Members (and through them sessions and email tokens) and organization_domains rows cascade.
    const result = await this.db
      .deleteFrom("organizations")
      .where("project_id", "=", projectId)
      .where("organization_id", "=", organizationId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async searchOrganizations(
    projectId: string,
    search: OrganizationSearch,
  ): Promise<{ organizations: Organization[]; total: number; more: boolean }> {
    const matching = this.db
      .selectFrom("organizations")
      .where("organizations.project_id", "=", projectId)
      .where((eb) => searchCondition(eb, search));
    const counted = await matching
      .select((eb) => eb.fn.countAll<number | string | bigint>().as("count"))
      .executeTakeFirstOrThrow();
    let page = matching.selectAll("organizations");
    if (search.after) {
      const after = search.after;
      page = page.where((eb) => afterCondition(eb, after));
    }
    // One row past the page tells whether another page follows.
    const rows = await page
      .orderBy("organizations.created_at")
      .orderBy("organizations.organization_id")
      .limit(search.limit + 1)
      .execute();
    return {
      organizations: rows.slice(0, search.limit).map(toOrganization),
      total: Number(counted.count),
      more: rows.length > search.limit,
    };
  }

  async countMembers(organizationId: string): Promise<number> {
    const row = await this.db
      .selectFrom("members")
      .select((eb) => eb.fn.countAll<number | string | bigint>().as("count"))
      .where("organization_id", "=", organizationId)
      .where("status", "<>", "deleted")
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /**
   * Runs `work` in one transaction: the caller's when this repository already writes through one (a
   * transaction Store), else a new one, so an organization row and its domain rows never disagree.
   */
  private atomically<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? work(this.db) : this.db.transaction().execute(work);
  }

  async findOrganization(projectId: string, key: string): Promise<Organization | null> {
    const [row] = await findOrganizationQuery(this.db, { projectId, key, slugKey: key.toLowerCase() });
    return row ? toOrganization(row) : null;
  }
}
