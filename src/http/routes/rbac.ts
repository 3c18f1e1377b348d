import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { DEFAULT_POLICY, STYTCH_RESOURCE_LIST } from "../../rbac/policy.js";
import { type AppServices, ok, projectOf } from "../context.js";
import { response, Str, StrArray } from "../schemas.js";

/**
 * GET /v1/b2b/rbac/policy and GET /v1/b2b/rbac/organizations/{organization_id} (SDK: rbac.policy,
 * rbac.organizations.getOrgPolicy). The SDK's authenticateJwtLocal/authenticateJwt fetch both whenever an
 * authorization_check is given, and decide locally with exactly the policy the server enforces.
 */

const Permission = Type.Object({ resource_id: Str, actions: StrArray });
const RoleSchema = Type.Object({ role_id: Str, description: Str, permissions: Type.Array(Permission) });
const PolicyResponse = response({
  policy: Type.Object({
    roles: Type.Array(RoleSchema),
    resources: Type.Array(Type.Object({ resource_id: Str, description: Str, actions: StrArray })),
    scopes: Type.Array(Type.Object({ scope: Str, description: Str, permissions: Type.Array(Permission) })),
  }),
});
const OrgParams = Type.Object({ organization_id: Str });
const OrgPolicyResponse = response({ org_policy: Type.Object({ roles: Type.Array(RoleSchema) }) });

export function registerRbacRoutes(app: FastifyInstance, services: AppServices): void {
  app.get("/v1/b2b/rbac/policy", { schema: { response: { 200: PolicyResponse } } }, async (request) =>
    ok(request, {
      policy: {
        roles: DEFAULT_POLICY.map((role) => ({
          role_id: role.role_id,
          description: role.description,
          permissions: role.permissions.map((p) => ({ resource_id: p.resource_id, actions: [...p.actions] })),
        })),
        resources: STYTCH_RESOURCE_LIST.map((r) => ({ ...r, actions: [...r.actions] })),
        // Scopes belong to Connected Apps, which Gatehouse does not offer.
        scopes: [],
      },
    }),
  );

  app.get<{ Params: Static<typeof OrgParams> }>(
    "/v1/b2b/rbac/organizations/:organization_id",
    { schema: { params: OrgParams, response: { 200: OrgPolicyResponse } } },
    async (request) => {
      // The organization must exist (id, slug or external id); organization-specific custom roles are not
      // supported, so its policy adds no roles to the project's.
      await services.organizations.get(projectOf(request), request.params.organization_id);
      return ok(request, { org_policy: { roles: [] } });
    },
  );
}
