import { Type } from "@sinclair/typebox";
import { AnyObject, MemberSchema, OrganizationSchema, Provisioning, Str, StrArray } from "./schemas.js";

/** Wire schemas of discovery (docs/stytch-b2b-api.md §4.6, §5.6): responses and the org-settings request part. */

const Nullable = <T extends ReturnType<typeof Type.Object>>(schema: T) => Type.Union([schema, Type.Null()]);

export const DiscoveredOrganizationSchema = Type.Object({
  member_authenticated: Type.Boolean(),
  organization: OrganizationSchema,
  membership: Type.Object({
    type: Str,
    details: Type.Union([AnyObject, Type.Null()]),
    member: Nullable(MemberSchema),
  }),
  primary_required: Nullable(Type.Object({ allowed_auth_methods: StrArray })),
  mfa_required: Type.Null(),
});

/** Opaque tokens: bounded so nothing huge is hashed; any shape is otherwise just "not found". */
export const TokenString = Type.String({ minLength: 1, maxLength: 512 });

const AUTH_METHODS = [
  "sso",
  "magic_link",
  "email_otp",
  "password",
  "google_oauth",
  "microsoft_oauth",
  "slack_oauth",
  "github_oauth",
  "hubspot_oauth",
];

/** Every organization field discovery/organizations/create accepts beside the token (all optional). */
export const OrganizationCreateFields = {
  organization_name: Type.Optional(Str),
  organization_slug: Type.Optional(Str),
  organization_logo_url: Type.Optional(Str),
  trusted_metadata: Type.Optional(AnyObject),
  organization_external_id: Type.Optional(Str),
  sso_jit_provisioning: Type.Optional(Provisioning),
  email_allowed_domains: Type.Optional(StrArray),
  email_jit_provisioning: Type.Optional(Provisioning),
  email_invites: Type.Optional(Provisioning),
  auth_methods: Type.Optional(Type.Union([Type.Literal("ALL_ALLOWED"), Type.Literal("RESTRICTED")])),
  allowed_auth_methods: Type.Optional(Type.Array(Type.Union(AUTH_METHODS.map((m) => Type.Literal(m))))),
  mfa_policy: Type.Optional(Type.Union([Type.Literal("OPTIONAL"), Type.Literal("REQUIRED_FOR_ALL")])),
  rbac_email_implicit_role_assignments: Type.Optional(Type.Array(Type.Object({ domain: Str, role_id: Str }))),
  mfa_methods: Type.Optional(Type.Union([Type.Literal("ALL_ALLOWED"), Type.Literal("RESTRICTED")])),
  allowed_mfa_methods: Type.Optional(StrArray),
  oauth_tenant_jit_provisioning: Type.Optional(
    Type.Union([Type.Literal("RESTRICTED"), Type.Literal("NOT_ALLOWED")]),
  ),
  allowed_oauth_tenants: Type.Optional(AnyObject),
  first_party_connected_apps_allowed_type: Type.Optional(Provisioning),
  allowed_first_party_connected_apps: Type.Optional(StrArray),
  third_party_connected_apps_allowed_type: Type.Optional(Provisioning),
  allowed_third_party_connected_apps: Type.Optional(StrArray),
};
