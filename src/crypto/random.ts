import { createHash, hash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";

/**
 * All secrets come from the OS CSPRNG (crypto.randomBytes); Math.random is never used for anything here.
 */

/** 33 random bytes as unpadded base64url: exactly 44 characters, the shape of Stytch session tokens. */
export function newSessionToken(): string {
  return randomBytes(33).toString("base64url");
}

/**
 * 32 random bytes as URL-safe base64 with its one `=` pad: 44 characters, the shape of Stytch magic-link
 * and password-reset tokens (docs/stytch-b2b-api.md §3.6).
 */
export function newEmailToken(): string {
  return `${randomBytes(32).toString("base64url")}=`;
}

/** API secrets: `secret-<env>-` + 36 random bytes (48 base64url characters, 288 bits). */
export function newSecret(environment: "test" | "live"): string {
  return `secret-${environment}-${randomBytes(36).toString("base64url")}`;
}

export function uuid(): string {
  return randomUUID();
}

/**
 * Tokens and secrets are stored only as SHA-256 digests. Every one of them carries at least 256 bits of
 * entropy, so a fast unsalted hash is enough (NIST 800-63B allows a plain approved hash from 112 bits; ASVS 5.0
 * 6.5.2): a database leak reveals no usable token, and look-ups stay one indexed equality.
 */
export function sha256Hex(value: string): string {
  // One-shot crypto.hash: the same digest without a Hash object (a quarter of the cost, measured in isolation).
  return hash("sha256", value, "hex");
}

/** Constant-time equality over digests, so neither content nor length leaks through timing. */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash("sha256").update(a, "utf8").digest();
  const db = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(da, db);
}

/** RFC 7636 S256: base64url(SHA-256(verifier)), unpadded. */
export function pkceChallengeOf(verifier: string): string {
  return createHash("sha256").update(verifier, "utf8").digest("base64url");
}
