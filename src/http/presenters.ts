import { ADMIN_ROLE, effectiveRoles, isLocked, type Member } from "../members/member.js";
import type { Organization } from "../organizations/organization.js";
import type { MemberSession } from "../sessions/session.js";
import type { IssuedSession } from "../sessions/sessions-service.js";
import { rfc3339 } from "../shared/clock.js";

/** Domain objects → the exact wire shapes of docs/stytch-b2b-api.md §4, with Stytch's null/"" conventions. */

export function organizationToWire(org: Organization) {
  return {
    organization_id: org.organization_id,
    organization_name: org.organization_name,
    organization_slug: org.organization_slug,
    organization_logo_url: org.organization_logo_url,
    organization_external_id: org.organization_external_id ?? "",
    trusted_metadata: org.trusted_metadata,
    sso_default_connection_id: org.sso_default_connection_id,
    sso_jit_provisioning: org.sso_jit_provisioning,
    sso_jit_provisioning_allowed_connections: org.sso_jit_provisioning_allowed_connections,
    sso_active_connections: [],
    scim_active_connection: null,
    email_allowed_domains: org.email_allowed_domains,
    email_jit_provisioning: org.email_jit_provisioning,
    email_invites: org.email_invites,
    auth_methods: org.auth_methods,
    allowed_auth_methods: org.allowed_auth_methods,
    mfa_policy: org.mfa_policy,
    rbac_email_implicit_role_assignments: org.rbac_email_implicit_role_assignments,
    mfa_methods: org.mfa_methods,
    allowed_mfa_methods: org.allowed_mfa_methods,
    oauth_tenant_jit_provisioning: org.oauth_tenant_jit_provisioning,
    allowed_oauth_tenants: org.allowed_oauth_tenants,
    claimed_email_domains: org.claimed_email_domains,
    first_party_connected_apps_allowed_type: org.first_party_connected_apps_allowed_type,
    allowed_first_party_connected_apps: org.allowed_first_party_connected_apps,
    third_party_connected_apps_allowed_type: org.third_party_connected_apps_allowed_type,
    allowed_third_party_connected_apps: org.allowed_third_party_connected_apps,
    custom_roles: org.custom_roles,
    created_at: rfc3339(org.created_at),
    updated_at: rfc3339(org.updated_at),
  };
}

export function memberToWire(member: Member, now: number) {
  const roles = effectiveRoles(member);
  const locked = isLocked(member, now);
  return {
    organization_id: member.organization_id,
    member_id: member.member_id,
    email_address: member.email_address,
    status: member.status,
    name: member.name,
    sso_registrations: [],
    is_breakglass: member.is_breakglass,
    member_password_id: member.member_password_id ?? "",
    oauth_registrations: [],
    email_address_verified: member.email_address_verified,
    mfa_phone_number_verified: false,
    is_admin: roles.includes(ADMIN_ROLE),
    totp_registration_id: "",
    retired_email_addresses: member.retired_email_addresses.map((r) => ({
      email_id: r.email_id,
      email_address: r.email_address,
    })),
    is_locked: locked,
    mfa_enrolled: false,
    mfa_phone_number: "",
    default_mfa_method: "",
    roles: roles.map((role_id) => ({ role_id, sources: [{ type: "direct_assignment", details: {} }] })),
    trusted_metadata: member.trusted_metadata,
    untrusted_metadata: member.untrusted_metadata,
    created_at: rfc3339(member.created_at),
    updated_at: rfc3339(member.updated_at),
    scim_registration: null,
    external_id: member.external_id ?? "",
    lock_created_at: locked && member.lock_created_at !== null ? rfc3339(member.lock_created_at) : null,
    lock_expires_at: locked && member.lock_expires_at !== null ? rfc3339(member.lock_expires_at) : null,
  };
}

export function sessionToWire(session: MemberSession, member: Member, organization: Organization) {
  return {
    member_session_id: session.member_session_id,
    member_id: session.member_id,
    started_at: rfc3339(session.started_at),
    last_accessed_at: rfc3339(session.last_accessed_at),
    expires_at: rfc3339(session.expires_at),
    authentication_factors: session.authentication_factors,
    organization_id: session.organization_id,
    roles: effectiveRoles(member),
    organization_slug: organization.organization_slug,
    custom_claims: session.custom_claims,
  };
}

/** AuthResult (§5) for a fully authenticated member (MFA is not offered, so never an intermediate session). */
export function authResultToWire(issued: IssuedSession, now: number) {
  return {
    member_id: issued.member.member_id,
    organization_id: issued.organization.organization_id,
    member: memberToWire(issued.member, now),
    organization: organizationToWire(issued.organization),
    session_token: issued.session_token,
    session_jwt: issued.session_jwt,
    member_session: sessionToWire(issued.session, issued.member, issued.organization),
    intermediate_session_token: "",
    intermediate_session_token_expires_at: null,
    member_authenticated: true,
    mfa_required: null,
    primary_required: null,
  };
}
