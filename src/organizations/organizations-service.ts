import { newId } from "../crypto/ids.js";
import { AuthError } from "../errors/auth-error.js";
import type { Project } from "../projects/project.js";
import type { Clock } from "../shared/clock.js";
import {
  AUTH_SETTING_FIELDS,
  assertValidExternalId,
  assertValidName,
  assertValidSlug,
  DEFAULT_ORGANIZATION_SETTINGS,
  normalizeAllowedDomains,
  type Organization,
  type OrganizationSettings,
} from "./organization.js";
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
  return {
    /** Creates an organization with Stytch's defaults for every setting not supplied. */
    async create(project: Project, input: CreateOrganizationInput): Promise<Organization> {
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
      // MFA is not offered yet, so an org cannot require it: refusing beats accepting a policy nobody enforces.
      if (input.mfa_policy === "REQUIRED_FOR_ALL") {
        throw new AuthError("invalid_organization_settings", {
          message:
            "mfa_policy REQUIRED_FOR_ALL is not supported: this Gatehouse version offers no MFA methods yet.",
        });
      }
      settings.email_allowed_domains = normalizeAllowedDomains(input.email_allowed_domains ?? []);
      if (settings.auth_methods === "RESTRICTED" && (input.allowed_auth_methods ?? []).length === 0) {
        throw new AuthError("allowed_auth_methods_required_for_restricted");
      }

      const now = deps.clock.now();
      const org: Organization = {
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
      await deps.store.organizations.insertOrganization(org);
      return org;
    },

    /** The organization named by id, slug or external id; organization_not_found otherwise. */
    async get(project: Project, idOrSlug: string): Promise<Organization> {
      const org = await deps.store.organizations.findOrganization(project.project_id, idOrSlug);
      if (!org) throw new AuthError("organization_not_found");
      return org;
    },
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
