import { Type } from "@sinclair/typebox";
import {
  AnyObject,
  MemberSchema,
  OrganizationFieldsSchema,
  OrganizationSchema,
  Str,
  StrArray,
} from "./schemas.js";

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

/** Every organization field discovery/organizations/create accepts beside the token (all optional). */
export const OrganizationCreateFields = {
  organization_name: Type.Optional(Str),
  ...OrganizationFieldsSchema,
};

/** The response fields of every route that answers with an IST (discoveryResultToWire). */
export const DiscoveryResultProperties = {
  intermediate_session_token: Str,
  intermediate_session_token_expires_at: Str,
  email_address: Str,
  discovered_organizations: Type.Array(DiscoveredOrganizationSchema),
};
