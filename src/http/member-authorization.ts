import type { FastifyRequest } from "fastify";
import { AuthError } from "../errors/auth-error.js";
import { type AuthorizationCheck, authorize } from "../rbac/authorize.js";
import type { SessionGrant } from "../sessions/sessions-service.js";
import { type AppServices, projectOf } from "./context.js";

/**
 * Member-session authorization for the routes Stytch marks "hdr": when the request carries
 * X-Stytch-Member-Session (a session token) or X-Stytch-Member-SessionJWT, it runs with that member's
 * permissions under the RBAC policy instead of the project's full API-key access.
 * Returns the acting member's session grant, or null when no header was sent (API-key access).
 */
export async function authorizeMemberSession(
  request: FastifyRequest,
  services: Pick<AppServices, "sessions">,
  check: AuthorizationCheck,
): Promise<SessionGrant | null> {
  const grant = await memberSessionOf(request, services);
  if (grant) authorize(grant, check);
  return grant;
}

/**
 * The live member session the request's header names, or null without a header, checking no permission: for
 * routes that must know who acts before deciding which checks apply (members.update). Callers then run
 * `authorize` for each check.
 */
export async function memberSessionOf(
  request: FastifyRequest,
  services: Pick<AppServices, "sessions">,
): Promise<SessionGrant | null> {
  const token = header(request, "x-stytch-member-session");
  const jwt = header(request, "x-stytch-member-sessionjwt");
  if (token === undefined && jwt === undefined) return null;
  if (token !== undefined && jwt !== undefined) throw new AuthError("too_many_session_arguments");
  return services.sessions.resolve(
    projectOf(request),
    token !== undefined ? { session_token: token } : { session_jwt: jwt! },
  );
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === "" ? undefined : text;
}
