import { AuthError } from "../errors/auth-error.js";

/** An organization (tenant of a project) as the API describes it (docs/stytch-b2b-api.md §4.1). */
export interface Organization extends OrganizationSettings {
  readonly organization_id: string;
  readonly project_id: string;
  readonly organization_name: string;
  readonly organization_slug: string;
  readonly organization_logo_url: string;
  readonly organization_external_id: string | null;
  readonly trusted_metadata: Record<string, unknown>;
  readonly created_at: number;
  readonly updated_at: number;
}

export type Provisioning = "ALL_ALLOWED" | "RESTRICTED" | "NOT_ALLOWED";

/** The settings Stytch returns on every organization; stored together as one JSON document. */
export interface OrganizationSettings {
  readonly sso_default_connection_id: string | null;
  readonly sso_jit_provisioning: Provisioning;
  readonly sso_jit_provisioning_allowed_connections: string[];
  readonly email_allowed_domains: string[];
  readonly email_jit_provisioning: Provisioning;
  readonly email_invites: Provisioning;
  readonly auth_methods: "ALL_ALLOWED" | "RESTRICTED";
  readonly allowed_auth_methods: string[];
  readonly mfa_policy: "OPTIONAL" | "REQUIRED_FOR_ALL";
  readonly rbac_email_implicit_role_assignments: { domain: string; role_id: string }[];
  readonly mfa_methods: "ALL_ALLOWED" | "RESTRICTED";
  readonly allowed_mfa_methods: string[];
  readonly oauth_tenant_jit_provisioning: "RESTRICTED" | "NOT_ALLOWED";
  readonly allowed_oauth_tenants: Record<string, unknown>;
  readonly claimed_email_domains: string[];
  readonly first_party_connected_apps_allowed_type: Provisioning;
  readonly allowed_first_party_connected_apps: string[];
  readonly third_party_connected_apps_allowed_type: Provisioning;
  readonly allowed_third_party_connected_apps: string[];
  readonly custom_roles: unknown[];
}

export const DEFAULT_ORGANIZATION_SETTINGS: OrganizationSettings = Object.freeze({
  sso_default_connection_id: null,
  sso_jit_provisioning: "ALL_ALLOWED",
  sso_jit_provisioning_allowed_connections: [],
  email_allowed_domains: [],
  email_jit_provisioning: "NOT_ALLOWED",
  email_invites: "ALL_ALLOWED",
  auth_methods: "ALL_ALLOWED",
  allowed_auth_methods: [],
  mfa_policy: "OPTIONAL",
  rbac_email_implicit_role_assignments: [],
  mfa_methods: "ALL_ALLOWED",
  allowed_mfa_methods: [],
  oauth_tenant_jit_provisioning: "NOT_ALLOWED",
  allowed_oauth_tenants: {},
  claimed_email_domains: [],
  first_party_connected_apps_allowed_type: "ALL_ALLOWED",
  allowed_first_party_connected_apps: [],
  third_party_connected_apps_allowed_type: "ALL_ALLOWED",
  allowed_third_party_connected_apps: [],
  custom_roles: [],
});

/** The create-request fields that count as "auth settings": supplying any flips the email_invites default. */
export const AUTH_SETTING_FIELDS = [
  "sso_jit_provisioning",
  "email_allowed_domains",
  "email_jit_provisioning",
  "email_invites",
  "auth_methods",
  "allowed_auth_methods",
  "mfa_policy",
  "mfa_methods",
  "allowed_mfa_methods",
  "oauth_tenant_jit_provisioning",
  "allowed_oauth_tenants",
] as const;

const SLUG = /^[A-Za-z0-9._~-]{2,128}$/;
const EXTERNAL_ID = /^[A-Za-z0-9._|-]{1,128}$/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * Public mailbox providers cannot be an organization's allowed domain: anyone can get an address there, so
 * allowing one would let anyone join by JIT provisioning (Stytch rejects them the same way).
 */
const COMMON_EMAIL_DOMAINS = new Set([
  "gmail.com",
  "googlemail.com",
  "yahoo.com",
  "hotmail.com",
  "outlook.com",
  "live.com",
  "msn.com",
  "aol.com",
  "icloud.com",
  "me.com",
  "mac.com",
  "proton.me",
  "protonmail.com",
  "gmx.com",
  "gmx.de",
  "yandex.ru",
  "mail.ru",
  "qq.com",
  "163.com",
  "zoho.com",
]);

export function assertValidSlug(slug: string): void {
  // "." and ".." match the character set but would be path segments; they are never valid slugs.
  if (!SLUG.test(slug) || slug === "." || slug === "..") throw new AuthError("invalid_organization_slug");
}

export function assertValidName(name: string): void {
  if (name.trim() === "") throw new AuthError("organization_name_missing");
  if ([...name].length > 128) throw new AuthError("invalid_organization_name");
}

export function assertValidExternalId(id: string): void {
  if (!EXTERNAL_ID.test(id)) throw new AuthError("invalid_organization_external_id");
}

/**
 * Lower-cases, trims, drops a trailing dot, dedupes and checks each domain of `email_allowed_domains` (or, with
 * `field`, of `claimed_email_domains`): both decide who may join, so neither may name a public mailbox provider.
 */
export function normalizeAllowedDomains(
  domains: readonly string[],
  field: "email_allowed_domains" | "claimed_email_domains" = "email_allowed_domains",
): string[] {
  const out = new Set<string>();
  for (const raw of domains) {
    const domain = normalizeDomain(raw);
    if (!DOMAIN.test(domain)) {
      throw new AuthError("invalid_email_domain", {
        message: `"${raw}" in ${field} is not a valid email domain.`,
      });
    }
    if (COMMON_EMAIL_DOMAINS.has(domain)) {
      throw new AuthError("organization_settings_domain_too_common", {
        message: `"${domain}" is a public email provider and cannot be in ${field}.`,
      });
    }
    out.add(domain);
  }
  return [...out];
}

/** Implicit role assignments with lower-cased domains and only their two fields (extra keys are not stored). */
export function normalizeImplicitRoles(
  assignments: readonly { domain: string; role_id: string }[],
): { domain: string; role_id: string }[] {
  return assignments.map(({ domain, role_id }) => ({ domain: normalizeDomain(domain), role_id }));
}

/** The comparable form of a domain: trimmed, lower-cased, without a trailing dot. */
export function normalizeDomain(raw: string): string {
  return raw.trim().toLowerCase().replace(/\.$/, "");
}

/**
 * Settings this Gatehouse version refuses, shared by create and update so both accept exactly the same states:
 * - MFA is not offered yet, so an org cannot require it: refusing beats accepting a policy nobody enforces;
 * - auth_methods RESTRICTED with no allowed method would lock every non-break-glass member out.
 */
export function assertSupportedSettings(settings: OrganizationSettings): void {
  if (settings.mfa_policy === "REQUIRED_FOR_ALL") {
    throw new AuthError("invalid_organization_settings", {
      message:
        "mfa_policy REQUIRED_FOR_ALL is not supported: this Gatehouse version offers no MFA methods yet.",
    });
  }
  if (settings.auth_methods === "RESTRICTED" && settings.allowed_auth_methods.length === 0) {
    throw new AuthError("allowed_auth_methods_required_for_restricted");
  }
}

/** The domain part of a normalised email address. */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1);
}

/**
 * Whether a new member with this email may join by email JIT provisioning: the org must be RESTRICTED (or
 * ALL_ALLOWED, which Stytch's UI also handles) and, when RESTRICTED, the domain must be in email_allowed_domains.
 */
export function allowsEmailJit(org: Organization, email: string): boolean {
  if (org.email_jit_provisioning === "NOT_ALLOWED") return false;
  if (org.email_jit_provisioning === "ALL_ALLOWED") return true;
  return org.email_allowed_domains.includes(emailDomain(email));
}

/** Whether the org's auth_methods policy lets this member use `method` (break-glass members bypass it). */
export function allowsAuthMethod(org: Organization, method: string, isBreakglass: boolean): boolean {
  if (isBreakglass || org.auth_methods === "ALL_ALLOWED") return true;
  return org.allowed_auth_methods.includes(method);
}

/** Whether `domain` (normalised) is a public mailbox provider, where anyone can get an address. */
export function isCommonEmailDomain(domain: string): boolean {
  return COMMON_EMAIL_DOMAINS.has(domain);
}
