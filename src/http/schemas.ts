import { type TSchema, Type } from "@sinclair/typebox";

/**
 * JSON schemas of the wire objects (docs/stytch-b2b-api.md §4), used to validate requests, to serialize
 * responses (fields not listed here can never leak out), and for the published OpenAPI document.
 */
const Str = Type.String();
const Bool = Type.Boolean();
const StrArray = Type.Array(Type.String());
const AnyObject = Type.Object({}, { additionalProperties: true });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Provisioning = Type.Union([
  Type.Literal("ALL_ALLOWED"),
  Type.Literal("RESTRICTED"),
  Type.Literal("NOT_ALLOWED"),
]);

export const OrganizationSchema = Type.Object({
  organization_id: Str,
  organization_name: Str,
  organization_slug: Str,
  organization_logo_url: Str,
  organization_external_id: Str,
  trusted_metadata: AnyObject,
  sso_default_connection_id: Nullable(Str),
  sso_jit_provisioning: Str,
  sso_jit_provisioning_allowed_connections: StrArray,
  sso_active_connections: Type.Array(AnyObject),
  scim_active_connection: Nullable(AnyObject),
  email_allowed_domains: StrArray,
  email_jit_provisioning: Str,
  email_invites: Str,
  auth_methods: Str,
  allowed_auth_methods: StrArray,
  mfa_policy: Str,
  rbac_email_implicit_role_assignments: Type.Array(AnyObject),
  mfa_methods: Str,
  allowed_mfa_methods: StrArray,
  oauth_tenant_jit_provisioning: Str,
  allowed_oauth_tenants: AnyObject,
  claimed_email_domains: StrArray,
  first_party_connected_apps_allowed_type: Str,
  allowed_first_party_connected_apps: StrArray,
  third_party_connected_apps_allowed_type: Str,
  allowed_third_party_connected_apps: StrArray,
  custom_roles: Type.Array(AnyObject),
  created_at: Str,
  updated_at: Str,
});

export const MemberRoleSchema = Type.Object({
  role_id: Str,
  sources: Type.Array(Type.Object({ type: Str, details: AnyObject })),
});

export const MemberSchema = Type.Object({
  organization_id: Str,
  member_id: Str,
  email_address: Str,
  status: Str,
  name: Str,
  sso_registrations: Type.Array(AnyObject),
  is_breakglass: Bool,
  member_password_id: Str,
  oauth_registrations: Type.Array(AnyObject),
  email_address_verified: Bool,
  mfa_phone_number_verified: Bool,
  is_admin: Bool,
  totp_registration_id: Str,
  retired_email_addresses: Type.Array(AnyObject),
  is_locked: Bool,
  mfa_enrolled: Bool,
  mfa_phone_number: Str,
  default_mfa_method: Str,
  roles: Type.Array(MemberRoleSchema),
  trusted_metadata: AnyObject,
  untrusted_metadata: AnyObject,
  created_at: Str,
  updated_at: Str,
  scim_registration: Nullable(AnyObject),
  external_id: Str,
  lock_created_at: Nullable(Str),
  lock_expires_at: Nullable(Str),
});

export const AuthenticationFactorSchema = Type.Object(
  {
    type: Str,
    delivery_method: Str,
    last_authenticated_at: Str,
    created_at: Str,
    updated_at: Str,
    email_factor: Type.Optional(Type.Object({ email_id: Str, email_address: Str })),
  },
  { additionalProperties: true },
);

export const MemberSessionSchema = Type.Object({
  member_session_id: Str,
  member_id: Str,
  started_at: Str,
  last_accessed_at: Str,
  expires_at: Str,
  authentication_factors: Type.Array(AuthenticationFactorSchema),
  organization_id: Str,
  roles: StrArray,
  organization_slug: Str,
  custom_claims: AnyObject,
});

const Envelope = { request_id: Str, status_code: Type.Integer() };

/** Response builder: the envelope fields plus the given ones. */
export function response<P extends Record<string, TSchema>>(properties: P) {
  return Type.Object({ ...Envelope, ...properties });
}

/** AuthResult (§5): the response of every primary-auth endpoint. */
export const AuthResultProperties = {
  member_id: Str,
  organization_id: Str,
  member: MemberSchema,
  organization: OrganizationSchema,
  session_token: Str,
  session_jwt: Str,
  member_session: Nullable(MemberSessionSchema),
  intermediate_session_token: Str,
  intermediate_session_token_expires_at: Nullable(Str),
  member_authenticated: Bool,
  mfa_required: Nullable(AnyObject),
  primary_required: Nullable(AnyObject),
};

export const ErrorSchema = Type.Object({
  status_code: Type.Integer(),
  request_id: Str,
  error_type: Str,
  error_message: Str,
  error_url: Str,
  error_details: Type.Optional(AnyObject),
});

/** Request-side building blocks. */
export const SessionParamsSchema = {
  session_token: Type.Optional(Str),
  session_jwt: Type.Optional(Str),
  session_duration_minutes: Type.Optional(Type.Integer()),
  session_custom_claims: Type.Optional(AnyObject),
  locale: Type.Optional(Str),
  telemetry_id: Type.Optional(Str),
  intermediate_session_token: Type.Optional(Str),
};

/** Every optional field organizations.create accepts; update accepts the same, plus the SSO connection ones. */
export const OrganizationFieldsSchema = {
  organization_slug: Type.Optional(Str),
  organization_logo_url: Type.Optional(Str),
  trusted_metadata: Type.Optional(AnyObject),
  organization_external_id: Type.Optional(Str),
  sso_jit_provisioning: Type.Optional(Provisioning),
  email_allowed_domains: Type.Optional(StrArray),
  email_jit_provisioning: Type.Optional(Provisioning),
  email_invites: Type.Optional(Provisioning),
  auth_methods: Type.Optional(Type.Union([Type.Literal("ALL_ALLOWED"), Type.Literal("RESTRICTED")])),
  allowed_auth_methods: Type.Optional(
    Type.Array(
      Type.Union(
        [
          "sso",
          "magic_link",
          "email_otp",
          "password",
          "google_oauth",
          "microsoft_oauth",
          "slack_oauth",
          "github_oauth",
          "hubspot_oauth",
        ].map((m) => Type.Literal(m)),
      ),
    ),
  ),
  mfa_policy: Type.Optional(Type.Union([Type.Literal("OPTIONAL"), Type.Literal("REQUIRED_FOR_ALL")])),
  rbac_email_implicit_role_assignments: Type.Optional(Type.Array(Type.Object({ domain: Str, role_id: Str }))),
  mfa_methods: Type.Optional(Type.Union([Type.Literal("ALL_ALLOWED"), Type.Literal("RESTRICTED")])),
  allowed_mfa_methods: Type.Optional(StrArray),
  oauth_tenant_jit_provisioning: Type.Optional(
    Type.Union([Type.Literal("RESTRICTED"), Type.Literal("NOT_ALLOWED")]),
  ),
  allowed_oauth_tenants: Type.Optional(AnyObject),
  claimed_email_domains: Type.Optional(StrArray),
  first_party_connected_apps_allowed_type: Type.Optional(Provisioning),
  allowed_first_party_connected_apps: Type.Optional(StrArray),
  third_party_connected_apps_allowed_type: Type.Optional(Provisioning),
  allowed_third_party_connected_apps: Type.Optional(StrArray),
};

export { AnyObject, Bool, Str, StrArray };
