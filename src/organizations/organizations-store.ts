import type { Organization } from "./organization.js";

/** Persistence contract for organizations. Every read is scoped to one project. */
export interface OrganizationsStore {
  /**
   * Inserts a new organization. Throws AuthError organization_slug_already_used /
   * organization_external_id_already_used when the database's unique constraints refuse it.
   */
  insertOrganization(org: Organization): Promise<void>;
  /** Looks up by organization_id, then slug (case-insensitive), then external id, inside `projectId`. */
  findOrganization(projectId: string, idOrSlugOrExternalId: string): Promise<Organization | null>;
}
