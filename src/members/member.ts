import { AuthError } from "../errors/auth-error.js";

/** A member of one organization (docs/stytch-b2b-api.md §4.2). The same email in two orgs is two members. */
export interface Member {
  readonly member_id: string;
  readonly project_id: string;
  readonly organization_id: string;
  /** Normalised: trimmed and lower-cased. */
  readonly email_address: string;
  readonly email_id: string;
  readonly status: MemberStatus;
  readonly name: string;
  readonly email_address_verified: boolean;
  readonly is_breakglass: boolean;
  readonly external_id: string | null;
  /** Explicitly assigned roles; every member also holds stytch_member implicitly. */
  readonly roles: string[];
  readonly trusted_metadata: Record<string, unknown>;
  readonly untrusted_metadata: Record<string, unknown>;
  readonly member_password_id: string | null;
  readonly password_hash: string | null;
  readonly failed_auth_count: number;
  readonly lock_created_at: number | null;
  readonly lock_expires_at: number | null;
  readonly created_at: number;
  readonly updated_at: number;
  /** Addresses the member had before an email change, each with the email_id it had then. */
  readonly retired_email_addresses: RetiredEmail[];
}

export interface RetiredEmail {
  readonly email_id: string;
  readonly email_address: string;
}

export type MemberStatus = "pending" | "invited" | "active" | "deleted";

export const DEFAULT_ROLE = "stytch_member";
export const ADMIN_ROLE = "stytch_admin";

/** Every role a member holds: stytch_member first, then the explicit ones. */
export function effectiveRoles(member: Pick<Member, "roles">): string[] {
  return [DEFAULT_ROLE, ...member.roles.filter((r) => r !== DEFAULT_ROLE)];
}

/**
 * The roles a member may be given explicitly. Custom roles are not supported (docs/decisions.md), so only
 * Stytch's two built-in roles exist; any other id is refused rather than stored with no meaning.
 */
export const ASSIGNABLE_ROLES: readonly string[] = [ADMIN_ROLE, DEFAULT_ROLE];

/**
 * Validates explicitly assigned roles and returns them as stored: deduplicated, without stytch_member (which
 * every member holds implicitly and which therefore cannot be taken away).
 */
export function explicitRoles(roles: readonly string[]): string[] {
  for (const role of roles) {
    if (!ASSIGNABLE_ROLES.includes(role)) {
      throw new AuthError("invalid_role", { message: `The role ${JSON.stringify(role)} does not exist.` });
    }
  }
  return [...new Set(roles)].filter((r) => r !== DEFAULT_ROLE);
}

const EXTERNAL_ID = /^[A-Za-z0-9._|-]{1,128}$/;

/** A member external_id: 1 to 128 of [A-Za-z0-9._|-] (docs/stytch-b2b-api.md §3.4). */
export function assertValidMemberExternalId(id: string): void {
  if (!EXTERNAL_ID.test(id)) throw new AuthError("invalid_member_external_id");
}

/** Stytch's metadata limits: at most 20 top-level keys and 4 KB serialized, per object. */
export const MAX_METADATA_KEYS = 20;
export const MAX_METADATA_BYTES = 4096;

/**
 * Applies a metadata update the way Stytch documents it: merged with the stored object at the top level only,
 * a top-level `null` deletes that key, nested objects and arrays are replaced whole. Checks the limits on the
 * result. With no stored object (creation) it simply drops the `null` keys.
 */
export function mergeMetadata(
  field: "trusted_metadata" | "untrusted_metadata",
  stored: Record<string, unknown>,
  update: Record<string, unknown>,
): Record<string, unknown> {
  // A Map and Object.fromEntries define own properties only: no key can reach a prototype (ATK-4).
  const entries = new Map(Object.entries(stored));
  for (const [key, value] of Object.entries(update)) {
    if (value === null) entries.delete(key);
    else entries.set(key, value);
  }
  const merged = Object.fromEntries(entries);
  if (Object.keys(merged).length > MAX_METADATA_KEYS) {
    throw new AuthError("invalid_request_value", {
      message: `${field} may have at most ${MAX_METADATA_KEYS} top-level keys.`,
    });
  }
  if (Buffer.byteLength(JSON.stringify(merged), "utf8") > MAX_METADATA_BYTES) {
    throw new AuthError("invalid_request_value", {
      message: `${field} may be at most 4 KB when serialized.`,
    });
  }
  return merged;
}

export function isLocked(member: Pick<Member, "lock_expires_at">, now: number): boolean {
  return member.lock_expires_at !== null && member.lock_expires_at > now;
}

// Deliberately simple: one "@", no spaces or control characters, a dotted domain of DNS labels. Mailbox
// validity is proven by the magic link, not by a regex; this only rejects what cannot be an address.
const EMAIL = /^[^\s@\p{Cc}]{1,64}@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/u;

/**
 * Normalises an email for storage and comparison: trims and lower-cases (the domain is case-insensitive by
 * RFC 5321; the local part is treated the same way, as every major provider does). Rejects CR/LF and other
 * control characters, so addresses cannot inject mail headers (ATK-36).
 */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw new AuthError("invalid_email");
  return email;
}
