/**
 * THE error catalog. Every `error_type` Gatehouse can answer with is defined here, once, with its HTTP status
 * and default message. Names and statuses follow Stytch's B2B API (docs/stytch-b2b-api.md §10); where the
 * reference marks a status as inferred [I], the choice made here is recorded in docs/decisions.md.
 */
export const ERROR_CATALOG = {
  // 400: request shape
  bad_request: [400, "The request is malformed."],
  invalid_request_value: [400, "A value in the request is invalid."],
  invalid_authorization_header: [
    400,
    "The Authorization header must be HTTP Basic: base64(project_id:secret).",
  ],
  invalid_email: [400, "Email format is invalid."],
  invalid_organization_slug: [
    400,
    "The organization_slug must be 2 to 128 characters long and may only contain alphanumerics and the reserved characters - . _ ~",
  ],
  invalid_organization_name: [400, "The organization_name must be 1 to 128 characters long."],
  organization_name_missing: [400, "The organization_name is required."],
  invalid_organization_external_id: [
    400,
    "The organization_external_id may only contain [A-Za-z0-9._|-] and be at most 128 characters long.",
  ],
  organization_slug_already_used: [
    400,
    "The provided organization_slug is already used in another organization.",
  ],
  organization_external_id_already_used: [
    400,
    "The provided organization_external_id is already used in another organization.",
  ],
  allowed_auth_methods_required_for_restricted: [
    400,
    "allowed_auth_methods must not be empty when auth_methods is RESTRICTED.",
  ],
  invalid_email_domain: [400, "One of the email_allowed_domains is not a valid domain."],
  organization_settings_domain_too_common: [
    400,
    "A common public email domain cannot be used in email_allowed_domains.",
  ],
  duplicate_member_email: [400, "A member with this email address already exists in the organization."],
  duplicate_member_external_id: [400, "A member with this external_id already exists in the organization."],
  invalid_member_get_fields: [400, "Either member_id or email_address must be provided."],
  invalid_session_duration_minutes: [400, "session_duration_minutes must be an integer from 5 to 527040."],
  invalid_expiration_minutes: [400, "Expiration minutes must be an integer from 5 to 10080."],
  no_session_arguments: [400, "Either session_token or session_jwt must be provided."],
  too_many_session_arguments: [400, "Only one of session_token or session_jwt may be provided."],
  no_session_revoke_arguments: [
    400,
    "One of member_session_id, session_token, session_jwt or member_id must be provided.",
  ],
  too_many_session_revoke_arguments: [
    400,
    "Only one of member_session_id, session_token, session_jwt or member_id may be provided.",
  ],
  custom_claims_too_large: [400, "session_custom_claims must be at most 4 KB when serialized."],
  weak_password: [400, "The password does not meet the project's strength requirements."],
  session_too_old_to_reset_password: [
    400,
    "The session has no authentication factor from the last 5 minutes; authenticate again before setting a password.",
  ],
  organization_id_mismatch: [400, "The organization_id does not match the session's organization."],
  invalid_email_for_jit_provisioning: [
    403,
    "The email address is not allowed to join this organization by just-in-time provisioning.",
  ],
  operation_restricted_by_organization_auth_methods: [
    403,
    "The organization does not allow this authentication method.",
  ],
  inactive_member: [400, "This action is only available for active, pending or invited members."],
  no_login_redirect_urls_set: [400, "No login redirect URL was given and the project has no default one."],
  no_signup_redirect_urls_set: [400, "No signup redirect URL was given and the project has no default one."],
  no_password_reset_redirect_url: [
    400,
    "No reset_password_redirect_url was given and the project has no default one.",
  ],
  invalid_login_redirect_url: [
    400,
    "The login_redirect_url is not registered for the login type on this project.",
  ],
  invalid_signup_redirect_url: [
    400,
    "The signup_redirect_url is not registered for the signup type on this project.",
  ],
  invalid_password_reset_redirect_url: [
    400,
    "The reset_password_redirect_url is not registered for the reset_password type on this project.",
  ],
  pkce_expected_code_verifier: [
    400,
    "This token was issued with a PKCE code challenge; a code verifier is required.",
  ],
  pkce_mismatch: [400, "The PKCE code verifier does not match the code challenge."],
  pkce_did_not_expect_code_verifier: [400, "This token was issued without a PKCE code challenge."],
  invalid_pkce_code_challenge: [400, "The PKCE code challenge must be 43 base64url characters (SHA-256)."],

  // Issue 3 surface: organizations, members, invites, discovery, search, imports.
  invalid_organization_settings: [400, "The organization settings are not valid."],
  organization_settings_provisioning_required: [
    400,
    "At least one provisioning setting (email JIT, SSO JIT, invites or OAuth tenants) must stay enabled.",
  ],
  cannot_update_trusted_metadata: [401, "trusted_metadata cannot be updated with a member session."],
  organization_search_fuzzy_too_short: [400, "Fuzzy search filters need at least 3 characters."],
  member_search_fuzzy_too_short: [400, "Fuzzy search filters need at least 3 characters."],
  member_search_organization_ids_empty: [400, "organization_ids must contain at least one organization."],
  invalid_search_query: [400, "The search query is not valid."],
  invalid_cursor: [400, "The cursor is not valid for this search."],
  invalid_member_id: [400, "The member_id is not valid."],
  invalid_member_external_id: [
    400,
    "The external_id may only contain [A-Za-z0-9._|-] and be at most 128 characters long.",
  ],
  invalid_role: [400, "One of the roles is not a role of this project."],
  member_already_active: [400, "The member is already active."],
  member_not_deleted: [400, "Only deleted members can be reactivated."],
  no_deleted_member_found_for_reactivation: [404, "No deleted member with this member_id was found."],
  email_unverified_for_reactivation: [
    400,
    "A member can only be reactivated when its email address is verified.",
  ],
  reactivation_email_belongs_to_another_member: [
    400,
    "Another member of the organization now uses this email address.",
  ],
  member_password_not_found: [404, "The member password was not found."],
  member_cannot_update_their_email_address: [
    403,
    "Members cannot update their own email address with a session.",
  ],
  invalid_email_for_invites: [403, "The organization does not allow invites to this email address."],
  email_invites_not_allowed: [403, "The organization does not allow email invites."],
  member_already_active_for_invite: [400, "The member is already an active member of the organization."],
  no_invite_redirect_urls_set: [400, "No invite redirect URL was given and the project has no default one."],
  invalid_invite_redirect_url: [
    400,
    "The invite_redirect_url is not registered for the invite type on this project.",
  ],
  no_discovery_redirect_urls_set: [
    400,
    "No discovery redirect URL was given and the project has no default one.",
  ],
  invalid_discovery_redirect_url: [
    400,
    "The discovery_redirect_url is not registered for the discovery type on this project.",
  ],
  intermediate_session_not_found: [404, "The intermediate session was not found, or it expired or was used."],
  insufficient_factors_for_session_exchange: [
    400,
    "The session does not hold a factor that can be carried to this organization.",
  ],
  invalid_intermediate_session_token_for_organization: [
    400,
    "The intermediate session cannot be exchanged for a session in this organization.",
  ],
  too_many_discovery_arguments: [
    400,
    "Exactly one of intermediate_session_token, session_token or session_jwt must be provided.",
  ],
  cannot_reset_password_with_existing_password: [400, "The new password must differ from the existing one."],
  invalid_hash: [400, "The password hash could not be parsed for this hash_type."],
  invalid_hash_config: [400, "The hash configuration is missing or out of the accepted bounds."],
  member_email_not_found: [404, "No member with this email address exists in the organization."],
  session_authorization_tenancy_error: [
    403,
    "The member session belongs to another organization than the one this request acts on.",
  ],
  invalid_authorization_check: [400, "The authorization_check is not valid."],
  cross_org_passwords_not_enabled: [
    400,
    "Cross-organization passwords are not enabled for this project; use the organization-scoped password routes.",
  ],
  cross_org_passwords_enabled: [
    400,
    "This project shares passwords across organizations; use passwords/email/require_reset to remove a password.",
  ],

  // 401
  unauthorized_credentials: [401, "Unauthorized credentials."],
  unable_to_auth_magic_link: [
    401,
    "The magic link could not be authenticated because it was either already used or expired. Send another magic link to this user.",
  ],
  unable_to_auth_password_reset_token: [
    401,
    "The password reset token could not be authenticated because it was either already used or expired.",
  ],
  member_reset_password: [401, "The member's password must be reset before they can log in with a password."],
  invalid_session_jwt: [401, "The session_jwt could not be verified."],

  // 403
  session_authorization_error: [403, "The session is not authorized to perform this action."],

  // 404
  route_not_found: [404, "No route matches this method and path."],
  organization_not_found: [404, "Organization not found."],
  member_not_found: [404, "Member not found."],
  magic_link_not_found: [
    404,
    "The magic link could not be authenticated, try sending another magic link to the user.",
  ],
  session_not_found: [404, "Session not found."],
  member_does_not_exist_in_organization: [
    404,
    "The session's member has no membership in this organization to exchange the session into.",
  ],
  project_not_found: [404, "Project not found."],

  // 405, 413, 415
  method_not_allowed: [405, "This method is not allowed on this path."],
  request_body_too_large: [413, "The request body is too large."],
  unsupported_media_type: [415, "Request bodies must be application/json."],

  // 429
  too_many_requests: [429, "Too many requests have been made."],
  user_lock_limit_reached: [
    429,
    "This member is temporarily locked after too many failed authentication attempts. Try again later or reset the password.",
  ],

  // 5xx
  internal_server_error: [
    500,
    "Oops, something seems to have gone wrong, please check the server logs with this request_id.",
  ],
  email_delivery_failed: [503, "The email could not be delivered; try again later."],
  service_unavailable: [503, "The database is unavailable; try again later."],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorType = keyof typeof ERROR_CATALOG;

export function errorStatus(type: ErrorType): number {
  return ERROR_CATALOG[type][0];
}

export function errorMessage(type: ErrorType): string {
  return ERROR_CATALOG[type][1];
}
