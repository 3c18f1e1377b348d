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
}

export type MemberStatus = "pending" | "invited" | "active" | "deleted";

export const DEFAULT_ROLE = "stytch_member";
export const ADMIN_ROLE = "stytch_admin";

/** Every role a member holds: stytch_member first, then the explicit ones. */
export function effectiveRoles(member: Pick<Member, "roles">): string[] {
  return [DEFAULT_ROLE, ...member.roles.filter((r) => r !== DEFAULT_ROLE)];
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
