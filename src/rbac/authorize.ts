import { AuthError } from "../errors/auth-error.js";
import { effectiveRoles } from "../members/member.js";
import type { Organization } from "../organizations/organization.js";
import type { SessionGrant } from "../sessions/sessions-service.js";
import { grantingRoles } from "./policy.js";

/** What a member-session-authorized request asks to do (docs/stytch-b2b-api.md §1.7, §5). */
export interface AuthorizationCheck {
  /** The organization acted on: its id, slug or external id (§3.4). */
  readonly organization_id: string;
  readonly resource_id: string;
  readonly action: string;
  /**
   * When the request targets one member (by member_id or external id): if it is the session's own member,
   * `stytch.self` with the same action also grants it (members manage their own record).
   */
  readonly target_member_id?: string;
}

/** Whether `ref` names `org` by id, slug (case-insensitively, like look-ups) or external id. */
export function namesOrganization(org: Organization, ref: string): boolean {
  return (
    ref === org.organization_id ||
    ref.toLowerCase() === org.organization_slug.toLowerCase() ||
    (org.organization_external_id !== null && ref === org.organization_external_id)
  );
}

/**
 * Decides whether a member session may perform `check`. A session of another organization is
 * 403 session_authorization_tenancy_error (checked first: a member's roles say nothing about other tenants);
 * missing permission is 403 session_authorization_error. Returns the granting roles (the `verdict` of
 * sessions/authenticate).
 */
export function authorize(grant: SessionGrant, check: AuthorizationCheck): string[] {
  if (!namesOrganization(grant.organization, check.organization_id)) {
    throw new AuthError("session_authorization_tenancy_error");
  }
  const roles = effectiveRoles(grant.member);
  const granting = grantingRoles(roles, check.resource_id, check.action);
  const self =
    check.target_member_id !== undefined &&
    (check.target_member_id === grant.member.member_id ||
      (grant.member.external_id !== null && check.target_member_id === grant.member.external_id));
  if (granting.length === 0 && self) {
    granting.push(...grantingRoles(roles, "stytch.self", check.action));
  }
  if (granting.length === 0) throw new AuthError("session_authorization_error");
  return granting;
}
