import { AuthError } from "../errors/auth-error.js";

/** Email-link lifetimes: Stytch accepts 5 minutes to 7 days for every kind. */
export const MIN_LINK_MINUTES = 5;
export const MAX_LINK_MINUTES = 10_080;

export function linkMinutes(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < MIN_LINK_MINUTES || value > MAX_LINK_MINUTES) {
    throw new AuthError("invalid_expiration_minutes");
  }
  return value;
}

/** A PKCE S256 challenge is base64url(SHA-256(verifier)): exactly 43 characters. */
export function pkceChallenge(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!/^[A-Za-z0-9_-]{43}$/.test(value)) throw new AuthError("invalid_pkce_code_challenge");
  return value;
}
