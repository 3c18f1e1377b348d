import { newId } from "../crypto/ids.js";
import { AuthError } from "../errors/auth-error.js";
import type { Project } from "../projects/project.js";
import type { Clock } from "../shared/clock.js";
import {
  AUTH_SETTING_FIELDS,
  assertSupportedSettings,
  assertValidExternalId,
  assertValidName,
  assertValidSlug,
  DEFAULT_ORGANIZATION_SETTINGS,
  normalizeAllowedDomains,
  normalizeImplicitRoles,
  type Organization,
  type OrganizationSettings,
} from "./organization.js";
import { encodeCursor, parseSearch, type SearchRequest } from "./organization-search.js";
import { applyUpdate, type UpdateOrganizationInput } from "./organization-update.js";
import type { OrganizationsStore } from "./organizations-store.js";

export interface CreateOrganizationInput extends Partial<OrganizationSettings> {
  organization_name: string;
  organization_slug?: string;
  organization_logo_url?: string;
  organization_external_id?: string;
  trusted_metadata?: Record<string, unknown>;
}

export interface OrganizationsServiceDeps {
  store: { organizations: OrganizationsStore };
  clock: Clock;
}

export function createOrganizationsService(deps: OrganizationsServiceDeps) {
  const { store, clock } = deps;

  async function get(project: Project, idOrSlug: string): Promise<Organization> {
    const org = await store.organizations.findOrganization(project.project_id, idOrSlug);
    if (!org) throw new AuthError("organization_not_found");
    return org;
  }

  /** Applies `change` to the organization with this id under the store's row lock (see updateOrganization). */
  async function mutate(
    project: Project,
    organizationId: string,
    change: (current: Organization, now: number) => Organization,
  ): Promise<Organization> {
    const updated = await store.organizations.updateOrganization(
      project.project_id,
      organizationId,
      (current) => change(current, clock.now()),
    );
    if (!updated) throw new AuthError("organization_not_found");
    return updated;
  }

  return {
    /**
     * A new organization with Stytch's defaults for every setting not supplied, validated but not stored: for
     * callers that insert it inside their own transaction (tx.organizations.insertOrganization).
     */
    build(project: Project, input: CreateOrganizationInput): Organization {
      return buildOrganization(project, input, clock.now());
    },

    /** Creates an organization with Stytch's defaults for every setting not supplied. */
    async create(project: Project, input: CreateOrganizationInput): Promise<Organization> {
      const org = buildOrganization(project, input, clock.now());
      await store.organizations.insertOrganization(org);
      return org;
    },

    /** The organization named by id, slug or external id; organization_not_found otherwise. */
    get,

    /**
     * organizations.update: only supplied fields change, validated as on create. `organizationId` is the
     * resolved id (the caller authorized against it), so a concurrent slug change cannot redirect the write.
     */
    async update(
      project: Project,
      organizationId: string,
      input: UpdateOrganizationInput,
    ): Promise<Organization> {
      return mutate(project, organizationId, (current, now) => applyUpdate(current, input, now));
    },

    /** organizations.deleteExternalId: the organization with its external id cleared. */
    async deleteExternalId(project: Project, organizationId: string): Promise<Organization> {
      return mutate(project, organizationId, (current, now) => ({
        ...current,
        organization_external_id: null,
        updated_at: Math.max(now, current.updated_at + 1),
      }));
    },

    /** organizations.delete: the organization, its members, their sessions and tokens (database cascade). */
    async delete(project: Project, organizationId: string): Promise<void> {
      if (!(await store.organizations.deleteOrganization(project.project_id, organizationId))) {
        throw new AuthError("organization_not_found");
      }
    },

    /** organizations.search: one page, the total, and the cursor of the next page (null on the last). */
    async search(
      project: Project,
      request: SearchRequest,
    ): Promise<{ organizations: Organization[]; total: number; next_cursor: string | null }> {
      const { organizations, total, more } = await store.organizations.searchOrganizations(
        project.project_id,
        parseSearch(request),
      );
      const last = organizations.at(-1);
      return { organizations, total, next_cursor: more && last ? encodeCursor(last) : null };
    },

    /** organizations.metrics: members that are not deleted. */
    async metrics(project: Project, idOrSlug: string): Promise<{ member_count: number }> {
      const org = await get(project, idOrSlug);
      return { member_count: await store.organizations.countMembers(org.organization_id) };
    },
  };
}

function buildOrganization(project: Project, input: CreateOrganizationInput, now: number): Organization {
  assertValidName(input.organization_name);
  const slug = input.organization_slug ?? deriveSlug(input.organization_name);
  assertValidSlug(slug);
  if (input.organization_external_id !== undefined) assertValidExternalId(input.organization_external_id);

  const settings: Record<string, unknown> = { ...DEFAULT_ORGANIZATION_SETTINGS };
  for (const key of Object.keys(DEFAULT_ORGANIZATION_SETTINGS) as (keyof OrganizationSettings)[]) {
    if (input[key] !== undefined) settings[key] = input[key];
  }
  // Stytch: email_invites defaults to ALL_ALLOWED only when the request sets no auth setting at all.
  if (input.email_invites === undefined && AUTH_SETTING_FIELDS.some((f) => input[f] !== undefined)) {
    settings.email_invites = "NOT_ALLOWED";
  }
  settings.email_allowed_domains = normalizeAllowedDomains(input.email_allowed_domains ?? []);
  settings.claimed_email_domains = normalizeAllowedDomains(
    input.claimed_email_domains ?? [],
    "claimed_email_domains",
  );
  settings.rbac_email_implicit_role_assignments = normalizeImplicitRoles(
    input.rbac_email_implicit_role_assignments ?? [],
  );
  assertSupportedSettings(settings as unknown as OrganizationSettings);

  return {
    ...(settings as unknown as OrganizationSettings),
    organization_id: newId("organization", project.environment),
    project_id: project.project_id,
    organization_name: input.organization_name,
    organization_slug: slug,
    organization_logo_url: input.organization_logo_url ?? "",
    organization_external_id: input.organization_external_id ?? null,
    trusted_metadata: input.trusted_metadata ?? {},
    created_at: now,
    updated_at: now,
  };
}

export type OrganizationsService = ReturnType<typeof createOrganizationsService>;

/** A slug from a name when none is given: lower-case, runs of other characters become "-". */
function deriveSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9._~]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 128);
  return slug.length >= 2 ? slug : `org-${slug}`.slice(0, 128);
}
