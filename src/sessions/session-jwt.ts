import { decodeProtectedHeader } from "jose";
import { AuthError } from "../errors/auth-error.js";
import type { Organization } from "../organizations/organization.js";
import type { Project } from "../projects/project.js";
import { rfc3339 } from "../shared/clock.js";
import { JWT_LIFETIME_SECONDS, type MemberSession } from "./session.js";
import type { SigningKeys } from "./signing-keys.js";

export const SESSION_CLAIM = "https://stytch.com/session";
export const ORGANIZATION_CLAIM = "https://stytch.com/organization";

export function issuerOf(projectId: string): string {
  return `stytch.com/${projectId}`;
}

/**
 * Mints the 5-minute session JWT (docs/stytch-b2b-api.md §6): RS256, typ JWT, kid of the project's active
 * key; custom claims at the top level, under the registered and stytch.com claims so they cannot replace them.
 */
export async function mintSessionJwt(
  keys: SigningKeys,
  project: Project,
  organization: Pick<Organization, "organization_id" | "organization_slug">,
  session: MemberSession,
  roles: string[],
  nowMs: number,
): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const payload = {
    ...session.custom_claims,
    [SESSION_CLAIM]: {
      id: session.member_session_id,
      started_at: rfc3339(session.started_at),
      last_accessed_at: rfc3339(session.last_accessed_at),
      expires_at: rfc3339(session.expires_at),
      authentication_factors: session.authentication_factors,
      roles,
    },
    [ORGANIZATION_CLAIM]: {
      organization_id: organization.organization_id,
      slug: organization.organization_slug,
    },
    sub: session.member_id,
    iss: issuerOf(project.project_id),
    aud: [project.project_id],
    iat,
    nbf: iat,
    exp: iat + JWT_LIFETIME_SECONDS,
  };
  return keys.signJwt(project.project_id, payload, iat);
}

/** Compact JWS: three base64url parts, nothing else (JWT-10); 8 KB bounds the work done on hostile input. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_JWT_LENGTH = 8192;

/**
 * Verifies a session JWT's signature, algorithm, typ, issuer and audience, but NOT its expiry: Stytch's
 * sessions/authenticate accepts an expired JWT when the session behind it is alive, and answers with a fresh
 * one. The caller must then check the session itself (it is the authority on revocation, JWT-11).
 * Returns the session id and member id the JWT names.
 */
export async function verifySessionJwtIgnoringExpiry(
  keys: SigningKeys,
  project: Project,
  jwt: string,
): Promise<{ sessionId: string; memberId: string }> {
  if (jwt.length > MAX_JWT_LENGTH || !COMPACT_JWS.test(jwt)) throw new AuthError("invalid_session_jwt");
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(jwt);
    // The algorithm is pinned, never taken from the token (JWT-1, JWT-2). Critical extensions (RFC 7515
    // §4.1.11), unencoded payloads (RFC 7797's b64) included, are none we understand: refused.
    if (
      header.alg !== "RS256" ||
      header.typ !== "JWT" ||
      typeof header.kid !== "string" ||
      header.crit !== undefined ||
      header.b64 !== undefined
    ) {
      throw new AuthError("invalid_session_jwt");
    }
    kid = header.kid;
  } catch (error) {
    throw error instanceof AuthError ? error : new AuthError("invalid_session_jwt");
  }
  // kid is only ever compared with the project's own key ids (JWT-8): never a path, URL or query.
  if ((await keys.verifyJws(project.project_id, kid, jwt)) !== true)
    throw new AuthError("invalid_session_jwt");
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<
      string,
      unknown
    >;
  } catch {
    throw new AuthError("invalid_session_jwt");
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    throw new AuthError("invalid_session_jwt");
  }
  const aud = payload.aud;
  const audOk = Array.isArray(aud) ? aud.includes(project.project_id) : aud === project.project_id;
  const session = payload[SESSION_CLAIM] as { id?: unknown } | undefined;
  if (
    !audOk ||
    payload.iss !== issuerOf(project.project_id) ||
    typeof payload.sub !== "string" ||
    typeof session?.id !== "string"
  ) {
    throw new AuthError("invalid_session_jwt");
  }
  return { sessionId: session.id, memberId: payload.sub };
}
