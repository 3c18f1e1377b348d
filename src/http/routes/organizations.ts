import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AuthError } from "../../errors/auth-error.js";
import {
  EXTERNAL_ID_ACTION,
  memberUpdatePermissions,
  ORGANIZATION_RESOURCE,
  type UpdateOrganizationInput,
} from "../../organizations/organization-update.js";
import { authorize } from "../../rbac/authorize.js";
import { type AppServices, ok, projectOf } from "../context.js";
import { authorizeMemberSession } from "../member-authorization.js";
import { organizationToWire } from "../presenters.js";
import { OrganizationFieldsSchema, OrganizationSchema, response, Str, StrArray } from "../schemas.js";

/** /v1/b2b/organizations, /v1/b2b/organizations/{organization_id}, …/{organization_id}/metrics, …/external_id */

const CreateBody = Type.Object({ organization_name: Str, ...OrganizationFieldsSchema });

const UpdateBody = Type.Object({
  organization_name: Type.Optional(Str),
  ...OrganizationFieldsSchema,
  sso_default_connection_id: Type.Optional(Str),
  sso_jit_provisioning_allowed_connections: Type.Optional(StrArray),
});

const OrgResponse = response({ organization: OrganizationSchema });
const OrgParams = Type.Object({ organization_id: Str });
const DeleteResponse = response({ organization_id: Str });
const MetricsResponse = response({ member_count: Type.Integer() });

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

  app.put<{ Params: Static<typeof OrgParams>; Body: Static<typeof UpdateBody> }>(
    "/v1/b2b/organizations/:organization_id",
    { schema: { params: OrgParams, body: UpdateBody, response: { 200: OrgResponse } } },
    async (request) => {
      const project = projectOf(request);
      const { organization_id } = await services.organizations.get(project, request.params.organization_id);
      await authorizeUpdate(request, services, organization_id, request.body);
      const org = await services.organizations.update(project, organization_id, request.body);
      return ok(request, { organization: organizationToWire(org) });
    },
  );

  app.delete<{ Params: Static<typeof OrgParams> }>(
    "/v1/b2b/organizations/:organization_id",
    { schema: { params: OrgParams, response: { 200: DeleteResponse } } },
    async (request) => {
      const project = projectOf(request);
      const { organization_id } = await services.organizations.get(project, request.params.organization_id);
      await authorizeMemberSession(request, services, {
        organization_id,
        resource_id: ORGANIZATION_RESOURCE,
        action: "delete",
      });
      await services.organizations.delete(project, organization_id);
      return ok(request, { organization_id });
    },
  );

  app.get<{ Params: Static<typeof OrgParams> }>(
    "/v1/b2b/organizations/:organization_id/metrics",
    { schema: { params: OrgParams, response: { 200: MetricsResponse } } },
    async (request) => {
      const metrics = await services.organizations.metrics(
        projectOf(request),
        request.params.organization_id,
      );
      return ok(request, metrics);
    },
  );

  app.delete<{ Params: Static<typeof OrgParams> }>(
    "/v1/b2b/organizations/:organization_id/external_id",
    { schema: { params: OrgParams, response: { 200: OrgResponse } } },
    async (request) => {
      const project = projectOf(request);
      const { organization_id } = await services.organizations.get(project, request.params.organization_id);
      await authorizeMemberSession(request, services, {
        organization_id,
        resource_id: ORGANIZATION_RESOURCE,
        action: EXTERNAL_ID_ACTION,
      });
      const org = await services.organizations.deleteExternalId(project, organization_id);
      return ok(request, { organization: organizationToWire(org) });
    },
  );
}

/**
 * With a member-session header, every supplied field needs its own action on stytch.organization, and
 * trusted_metadata is refused outright. The session is checked (valid, same organization, first action)
 * before the trusted-metadata refusal, so a bad session is reported as such. An update that supplies no field
 * changes nothing and returns what organizations.get returns to the same API key, so it needs no permission.
 */
async function authorizeUpdate(
  request: FastifyRequest,
  services: AppServices,
  organization_id: string,
  input: UpdateOrganizationInput,
): Promise<void> {
  if (!hasMemberSessionHeader(request)) return;
  const { actions, forbidden } = memberUpdatePermissions(input);
  const check = (action: string) => ({ organization_id, resource_id: ORGANIZATION_RESOURCE, action });
  const [first, ...rest] = actions;
  if (first !== undefined) {
    const grant = await authorizeMemberSession(request, services, check(first));
    if (grant) for (const action of rest) authorize(grant, check(action));
  }
  if (forbidden) throw new AuthError("cannot_update_trusted_metadata");
}

/** Whether the request names a member session (the headers authorizeMemberSession reads; "" is absent). */
function hasMemberSessionHeader(request: FastifyRequest): boolean {
  return ["x-stytch-member-session", "x-stytch-member-sessionjwt"].some((name) => {
    const value = request.headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    return text !== undefined && text !== "";
  });
}
