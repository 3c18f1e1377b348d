import { AuthError } from "../errors/auth-error.js";
import { MINUTE_MS, rfc3339 } from "../shared/clock.js";

/** A member session (docs/stytch-b2b-api.md §4.4). Times are epoch ms; factors are kept in wire form. */
export interface MemberSession {
  readonly member_session_id: string;
  readonly project_id: string;
  readonly organization_id: string;
  readonly member_id: string;
  /** Salt the session token is derived from (crypto/session-token.ts); never sent anywhere. */
  readonly token_salt: string;
  readonly started_at: number;
  readonly last_accessed_at: number;
  readonly expires_at: number;
  readonly authentication_factors: AuthenticationFactor[];
  readonly custom_claims: Record<string, unknown>;
}

/** §4.5, as sent on the wire (RFC 3339 times). */
export interface AuthenticationFactor {
  type: string;
  delivery_method: string;
  last_authenticated_at: string;
  created_at: string;
  updated_at: string;
  email_factor?: { email_id: string; email_address: string };
}

export const DEFAULT_SESSION_MINUTES = 60;
export const MIN_SESSION_MINUTES = 5;
/** 366 days, Stytch's maximum. */
export const MAX_SESSION_MINUTES = 527_040;
/** Session JWTs live five minutes whatever the session's length (Stytch). */
export const JWT_LIFETIME_SECONDS = 300;
/** passwords/session/reset needs a factor at most this old (Stytch; ASVS 6.2.3 re-authentication). */
export const RESET_FACTOR_MAX_AGE_MS = 5 * MINUTE_MS;

export function assertSessionDuration(minutes: number | undefined): void {
  if (minutes === undefined) return;
  if (!Number.isInteger(minutes) || minutes < MIN_SESSION_MINUTES || minutes > MAX_SESSION_MINUTES) {
    throw new AuthError("invalid_session_duration_minutes");
  }
}

/** Claims a session may not set: registered JWT claims and the stytch.com namespace. */
const RESERVED_CLAIMS = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]);
const MAX_CUSTOM_CLAIMS_BYTES = 4096;

/**
 * Merges custom claims: a null value deletes the key. Reserved JWT names and the stytch.com namespace are
 * ignored, as Stytch documents (checklist item 54), so they can never replace the real claims (JWT-13).
 */
export function mergeCustomClaims(
  current: Record<string, unknown>,
  update: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (update === undefined) return current;
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (RESERVED_CLAIMS.has(key) || key.startsWith("https://stytch.com/")) continue;
    if (value === null) delete next[key];
    else next[key] = value;
  }
  if (Buffer.byteLength(JSON.stringify(next), "utf8") > MAX_CUSTOM_CLAIMS_BYTES) {
    throw new AuthError("custom_claims_too_large");
  }
  return next;
}

/** The three timestamps of a factor proven at `now`. */
export function factorTimes(
  now: number,
): Pick<AuthenticationFactor, "last_authenticated_at" | "created_at" | "updated_at"> {
  const at = rfc3339(now);
  return { last_authenticated_at: at, created_at: at, updated_at: at };
}
