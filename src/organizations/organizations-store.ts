import type { Organization } from "./organization.js";
import type { OrganizationSearch } from "./organization-search.js";

/** Persistence contract for organizations. Every read is scoped to one project. */
export interface OrganizationsStore {
  /**
   * Inserts a new organization. Throws AuthError organization_slug_already_used /
   * organization_external_id_already_used when the database's unique constraints refuse it.
   */
  insertOrganization(org: Organization): Promise<void>;
  /** Looks up by organization_id, then slug (case-insensitive), then external id, inside `projectId`. */
  findOrganization(projectId: string, idOrSlugOrExternalId: string): Promise<Organization | null>;
  /**
   * Read-modify-write of one organization, atomically: locks its row, reads it, writes `change(current)` and
   * returns that, all in one transaction, so concurrent updates of different settings (one JSON column) are
   * serialised instead of overwriting each other. An error thrown by `change` (validation) or by a unique
   * constraint (as in insertOrganization) rolls everything back. Null when the organization is not in the project.
   */
  updateOrganization(
    projectId: string,
    organizationId: string,
    change: (current: Organization) => Organization,
  ): Promise<Organization | null>;
  /**
   * Deletes the organization; the database cascades to its members and their sessions and email tokens.
   * Returns false when there was no such organization in the project.
   */
  deleteOrganization(projectId: string, organizationId: string): Promise<boolean>;
  /**
   * One page of organizations matching `search` in `projectId`, ordered by (created_at, organization_id);
   * `total` counts every match regardless of the page, `more` says whether another page follows.
   */
  searchOrganizations(
    projectId: string,
    search: OrganizationSearch,
  ): Promise<{ organizations: Organization[]; total: number; more: boolean }>;
  /** How many members of the organization are not deleted. */
  countMembers(organizationId: string): Promise<number>;
}
