import { randomBytes } from "node:crypto";
import { sha256Hex } from "./random.js";
import type { ServerKey } from "./server-key.js";

/**
 * Session tokens are derived, not stored: token = HMAC(server key, session id, salt) as 33 bytes of base64url
 * (44 characters, Stytch's shape). The database keeps the random salt and SHA-256(token); without the server
 * key neither gives the token back. With it, the server can return a session's token to a caller that proved
 * the session another way (a session JWT), as Stytch's sessions/authenticate does.
 */
export function newTokenSalt(): string {
  return randomBytes(16).toString("base64url");
}

export function deriveSessionToken(key: ServerKey, sessionId: string, salt: string): string {
  return key.derive("gatehouse.session-token.v1", [sessionId, salt], 33).toString("base64url");
}

export function sessionTokenHash(token: string): string {
  return sha256Hex(token);
}
