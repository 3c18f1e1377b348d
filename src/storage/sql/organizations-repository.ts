import type { Kysely, Selectable } from "kysely";
import { AuthError } from "../../errors/auth-error.js";
import {
  DEFAULT_ORGANIZATION_SETTINGS,
  type Organization,
  type OrganizationSettings,
} from "../../organizations/organization.js";
import type { OrganizationsStore } from "../../organizations/organizations-store.js";
import type { Database, OrganizationTable } from "../database.js";
import { isUniqueViolation, uniqueViolationTarget } from "../dialects.js";
import { parseJson, toJson } from "./json.js";

const SETTING_KEYS = Object.keys(DEFAULT_ORGANIZATION_SETTINGS) as (keyof OrganizationSettings)[];

function toOrganization(row: Selectable<OrganizationTable>): Organization {
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

export class OrganizationsRepository implements OrganizationsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertOrganization(org: Organization): Promise<void> {
    try {
      await this.db
        .insertInto("organizations")
        .values({
          organization_id: org.organization_id,
          project_id: org.project_id,
          organization_name: org.organization_name,
          organization_slug: org.organization_slug,
          slug_key: org.organization_slug.toLowerCase(),
          organization_logo_url: org.organization_logo_url,
          organization_external_id: org.organization_external_id,
          trusted_metadata: toJson(org.trusted_metadata),
          settings: settingsOf(org),
          created_at: org.created_at,
          updated_at: org.updated_at,
        })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) {
        const target = uniqueViolationTarget(error);
        throw new AuthError(
          target.includes("external_id")
            ? "organization_external_id_already_used"
            : "organization_slug_already_used",
          { cause: error },
        );
      }
      throw error;
    }
  }

  async findOrganization(projectId: string, key: string): Promise<Organization | null> {
    // One indexed query: the primary key, the (project, slug_key) unique index or the external-id index.
    const row = await this.db
      .selectFrom("organizations")
      .selectAll()
      .where("project_id", "=", projectId)
      .where((eb) =>
        eb.or([
          eb("organization_id", "=", key),
          eb("slug_key", "=", key.toLowerCase()),
          eb("organization_external_id", "=", key),
        ]),
      )
      // An exact id wins over a slug that happens to look like one.
      .orderBy((eb) => eb.case().when("organization_id", "=", key).then(0).else(1).end())
      .executeTakeFirst();
    return row ? toOrganization(row) : null;
  }
}
