import { sha256Hex } from "../crypto/random.js";
import { MINUTE_MS } from "../shared/clock.js";

/**
 * One-time tokens delivered by email (magic links, password resets). Only the SHA-256 of the token is stored;
 * a token is bound to its project, kind, organization, member and email address (RC-5), so it cannot be
 * redeemed for anything else.
 */
export interface EmailToken {
  readonly token_hash: string;
  readonly project_id: string;
  readonly kind: EmailTokenKind;
  readonly purpose: EmailTokenPurpose;
  readonly organization_id: string;
  readonly member_id: string;
  readonly email_address: string;
  readonly pkce_challenge: string | null;
  readonly created_at: number;
  readonly expires_at: number;
  readonly consumed_at: number | null;
}

export type EmailTokenKind = "magic_link" | "password_reset";
export type EmailTokenPurpose = "login" | "signup" | "invite" | "reset_password";

/** The stored row of a new, unused token: only its SHA-256, bound to its member, expiring after `minutes`. */
export function newEmailTokenRow(
  token: string,
  fields: Pick<
    EmailToken,
    "project_id" | "kind" | "purpose" | "organization_id" | "member_id" | "email_address"
  > & {
    pkce_challenge?: string | null;
    now: number;
    minutes: number;
  },
): EmailToken {
  const { now, minutes, pkce_challenge = null, ...bound } = fields;
  return {
    ...bound,
    token_hash: sha256Hex(token),
    pkce_challenge,
    created_at: now,
    expires_at: now + minutes * MINUTE_MS,
    consumed_at: null,
  };
}

/** The outcome of trying to consume a token: it is either ours now, or why not. */
export type ConsumeResult =
  | { readonly status: "consumed"; readonly token: EmailToken }
  | { readonly status: "not_found" }
  | { readonly status: "used_or_expired"; readonly token: EmailToken };

/**
 * An address-bound link: sent to an address, not to a member, so it is bound only to its project, its kind and
 * that address. Two kinds exist, which never redeem each other:
 * - "discovery": a discovery magic link; redeeming it proves the mailbox and yields an intermediate session.
 * - "discovery_password_reset": a cross-org password reset link (passwords/discovery/email/reset/start);
 *   redeeming it sets the person's password and yields an intermediate session.
 * Neither ever yields a member session directly.
 */
export type AddressTokenKind = "discovery" | "discovery_password_reset";

/** An address-bound token (historically named after its first kind, the discovery magic link). */
export interface DiscoveryToken {
  readonly token_hash: string;
  readonly project_id: string;
  readonly email_address: string;
  readonly pkce_challenge: string | null;
  readonly created_at: number;
  readonly expires_at: number;
  readonly consumed_at: number | null;
}

export type DiscoveryConsumeResult =
  | { readonly status: "consumed"; readonly token: DiscoveryToken }
  | { readonly status: "not_found" }
  | { readonly status: "used_or_expired"; readonly token: DiscoveryToken };
