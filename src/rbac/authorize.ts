import { AuthError } from "../errors/auth-error.js";
import { effectiveRoles } from "../members/member.js";
import type { SessionGrant } from "../sessions/sessions-service.js";
import { grantingRoles } from "./policy.js";

/** What a member-session-authorized request asks to do (docs/stytch-b2b-api.md §1.7, §5). */
export interface AuthorizationCheck {
  readonly organization_id: string;
  readonly resource_id: string;
  readonly action: string;
  /**
   * When the request targets one member: if it is the session's own member, `stytch.self` with the same action
   * also grants it (members manage their own record).
   */
  readonly target_member_id?: string;
}

/**
 * Decides whether a member session may perform `check`. A session of another organization is
 * 403 session_authorization_tenancy_error; missing permission is 403 session_authorization_error.
 * Returns the granting roles (the `verdict` of sessions/authenticate).
 */
export function authorize(grant: SessionGrant, check: AuthorizationCheck): string[] {
  if (grant.session.organization_id !== check.organization_id) {
    throw new AuthError("session_authorization_tenancy_error");
  }
  const roles = effectiveRoles(grant.member);
  const granting = grantingRoles(roles, check.resource_id, check.action);
  if (granting.length === 0 && check.target_member_id === grant.member.member_id) {
    granting.push(...grantingRoles(roles, "stytch.self", check.action));
  }
  if (granting.length === 0) throw new AuthError("session_authorization_error");
  return granting;
}
