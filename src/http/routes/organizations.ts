import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { organizationToWire } from "../presenters.js";
import { AnyObject, OrganizationSchema, Provisioning, response, Str, StrArray } from "../schemas.js";

/** /v1/b2b/organizations and /v1/b2b/organizations/{organization_id} */

const CreateBody = Type.Object({
  organization_name: Str,
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
});

const OrgResponse = response({ organization: OrganizationSchema });
const OrgParams = Type.Object({ organization_id: Str });

export function registerOrganizationsRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Static<typeof CreateBody> }>(
    "/v1/b2b/organizations",
    { schema: { body: CreateBody, response: { 200: OrgResponse } } },
    async (request) => {
      const org = await services.organizations.create(projectOf(request), request.body);
      return ok(request, { organization: organizationToWire(org) });
    },
  );

  app.get<{ Params: Static<typeof OrgParams> }>(
    "/v1/b2b/organizations/:organization_id",
    { schema: { params: OrgParams, response: { 200: OrgResponse } } },
    async (request) => {
      const org = await services.organizations.get(projectOf(request), request.params.organization_id);
      return ok(request, { organization: organizationToWire(org) });
    },
  );
}
