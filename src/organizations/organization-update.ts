import { AuthError } from "../errors/auth-error.js";
import {
  assertSupportedSettings,
  assertValidExternalId,
  assertValidName,
  assertValidSlug,
  normalizeAllowedDomains,
  normalizeImplicitRoles,
  type Organization,
  type OrganizationSettings,
} from "./organization.js";

/** organizations.update (docs/stytch-b2b-api.md §5.1): every field optional; an absent field keeps its value. */
export interface UpdateOrganizationInput
  extends Partial<Omit<OrganizationSettings, "sso_default_connection_id" | "custom_roles">> {
  organization_name?: string;
  organization_slug?: string;
  organization_logo_url?: string;
  organization_external_id?: string;
  trusted_metadata?: Record<string, unknown>;
  /** "" clears it (null on the wire, Stytch's convention for an absent id). */
  sso_default_connection_id?: string;
}

export const ORGANIZATION_RESOURCE = "stytch.organization";
/** Setting or clearing (deleteExternalId) the external id; a Gatehouse name, see UPDATE_ACTIONS. */
export const EXTERNAL_ID_ACTION = "update.info.external-id";

/**
 * The RBAC action on stytch.organization a member session needs to supply each field, as Stytch's update
 * reference names them. `null`: no member session may supply the field at all (trusted metadata is API-key
 * only: it is what the app trusts, so a member must not write it). Stytch documents no action for the external
 * id, claimed domains and connected-app fields; Gatehouse names them in the same scheme (docs/decisions.md), and
 * under the default policy only a role holding "*" on stytch.organization (stytch_admin) has them.
 */
export const UPDATE_ACTIONS: {
  readonly [K in keyof Required<UpdateOrganizationInput>]: string | null;
} = {
  organization_name: "update.info.name",
  organization_slug: "update.info.slug",
  organization_logo_url: "update.info.logo-url",
  organization_external_id: EXTERNAL_ID_ACTION,
  trusted_metadata: null,
  sso_default_connection_id: "update.settings.default-sso-connection",
  sso_jit_provisioning: "update.settings.sso-jit-provisioning",
  sso_jit_provisioning_allowed_connections: "update.settings.sso-jit-provisioning",
  email_allowed_domains: "update.settings.allowed-domains",
  email_jit_provisioning: "update.settings.email-jit-provisioning",
  email_invites: "update.settings.email-invites",
  auth_methods: "update.settings.allowed-auth-methods",
  allowed_auth_methods: "update.settings.allowed-auth-methods",
  mfa_policy: "update.settings.mfa-policy",
  rbac_email_implicit_role_assignments: "update.settings.implicit-roles",
  mfa_methods: "update.settings.allowed-mfa-methods",
  allowed_mfa_methods: "update.settings.allowed-mfa-methods",
  oauth_tenant_jit_provisioning: "update.settings.oauth-tenant-jit-provisioning",
  allowed_oauth_tenants: "update.settings.allowed-oauth-tenants",
  claimed_email_domains: "update.settings.claimed-email-domains",
  first_party_connected_apps_allowed_type: "update.settings.first-party-connected-apps",
  allowed_first_party_connected_apps: "update.settings.first-party-connected-apps",
  third_party_connected_apps_allowed_type: "update.settings.third-party-connected-apps",
  allowed_third_party_connected_apps: "update.settings.third-party-connected-apps",
};

/** The fields `input` supplies (those that are not undefined), in UPDATE_ACTIONS order. */
export function suppliedFields(input: UpdateOrganizationInput): (keyof UpdateOrganizationInput)[] {
  return (Object.keys(UPDATE_ACTIONS) as (keyof UpdateOrganizationInput)[]).filter(
    (key) => input[key] !== undefined,
  );
}

/**
 * What a member session needs to perform this update: the RBAC actions of the supplied fields (no duplicates),
 * and whether it supplies a field no member session may write (then it is refused whatever the role).
 */
export function memberUpdatePermissions(input: UpdateOrganizationInput): {
  actions: string[];
  forbidden: boolean;
} {
  const actions = new Set<string>();
  let forbidden = false;
  for (const field of suppliedFields(input)) {
    const action = UPDATE_ACTIONS[field];
    if (action === null) forbidden = true;
    else actions.add(action);
  }
  return { actions: [...actions], forbidden };
}

/** The settings that let new members in; Stytch requires one of them to stay enabled (see applyUpdate). */
const PROVISIONING_FIELDS = [
  "email_jit_provisioning",
  "sso_jit_provisioning",
  "email_invites",
  "oauth_tenant_jit_provisioning",
] as const;

/**
 * The organization after `input`, validated exactly as create validates the same fields. Pure: the caller
 * writes the result. `updated_at` always moves forward (at least 1 ms past the current value), so two updates
 * within one clock tick still order.
 */
export function applyUpdate(
  current: Organization,
  input: UpdateOrganizationInput,
  now: number,
): Organization {
  const next: Record<string, unknown> = { ...current };
  for (const field of suppliedFields(input)) next[field] = input[field];

  if (input.organization_name !== undefined) assertValidName(input.organization_name);
  if (input.organization_slug !== undefined) assertValidSlug(input.organization_slug);
  if (input.organization_external_id !== undefined) assertValidExternalId(input.organization_external_id);
  if (input.email_allowed_domains !== undefined) {
    next.email_allowed_domains = normalizeAllowedDomains(input.email_allowed_domains);
  }
  if (input.claimed_email_domains !== undefined) {
    next.claimed_email_domains = normalizeAllowedDomains(
      input.claimed_email_domains,
      "claimed_email_domains",
    );
  }
  if (input.rbac_email_implicit_role_assignments !== undefined) {
    next.rbac_email_implicit_role_assignments = normalizeImplicitRoles(
      input.rbac_email_implicit_role_assignments,
    );
  }
  if (input.sso_default_connection_id !== undefined) {
    next.sso_default_connection_id =
      input.sso_default_connection_id === "" ? null : input.sso_default_connection_id;
  }
  next.updated_at = Math.max(now, current.updated_at + 1);

  const updated = next as unknown as Organization;
  assertSupportedSettings(updated);
  // Stytch: "An Organization must always have at least one auth setting set to either RESTRICTED or
  // ALL_ALLOWED in order to provision new Members." Checked only when the update touches one of them, so an
  // unrelated edit (a rename) never fails because of how the organization was created.
  if (
    PROVISIONING_FIELDS.some((field) => input[field] !== undefined) &&
    PROVISIONING_FIELDS.every((field) => updated[field] === "NOT_ALLOWED")
  ) {
    throw new AuthError("organization_settings_provisioning_required");
  }
  return updated;
}
