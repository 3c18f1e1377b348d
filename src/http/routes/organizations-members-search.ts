import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { MEMBER_ACTIONS } from "../../members/member-permissions.js";
import { MAX_SEARCH_LIMIT } from "../../members/member-query.js";
import { authorize } from "../../rbac/authorize.js";
import { type AppServices, ok, projectOf } from "../context.js";
import { memberSessionOf } from "../member-authorization.js";
import { memberToWire, organizationToWire } from "../presenters.js";
import { AnyObject, MemberSchema, OrganizationSchema, response, Str } from "../schemas.js";
import { MemberResponse, memberResult } from "./organizations-members-schemas.js";

/**
 * The project-wide member routes, with no organization in the path:
 * POST /v1/b2b/organizations/members/search ("hdr") and GET /v1/b2b/organizations/members/dangerously_get/{id}.
 */

/** Organizations one search may span: each is looked up, so the list is bounded. */
const MAX_SEARCH_ORGANIZATIONS = 100;

const SearchBody = Type.Object({
  // No minItems: an empty list is Stytch's member_search_organization_ids_empty, not a schema error.
  organization_ids: Type.Array(Str, { maxItems: MAX_SEARCH_ORGANIZATIONS }),
  cursor: Type.Optional(Str),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SEARCH_LIMIT })),
  query: Type.Optional(
    Type.Object({
      operator: Str,
      operands: Type.Array(AnyObject),
    }),
  ),
});

const SearchResponse = response({
  members: Type.Array(MemberSchema),
  results_metadata: Type.Object({ total: Type.Integer(), next_cursor: Type.Union([Str, Type.Null()]) }),
  organizations: Type.Record(Str, OrganizationSchema),
});

const DangerParams = Type.Object({ member_id: Str });
const DangerQuery = Type.Object({
  include_deleted: Type.Optional(Type.Union([Type.Literal("true"), Type.Literal("false")])),
});

export function registerOrganizationsMembersSearchRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Static<typeof SearchBody> }>(
    "/v1/b2b/organizations/members/search",
    { schema: { body: SearchBody, response: { 200: SearchResponse } } },
    async (request) => {
      const project = projectOf(request);
      const organizations = await services.members.resolveOrganizations(
        project,
        request.body.organization_ids,
      );
      // A member session may search only its own organization, and needs "search" on stytch.member there.
      const grant = await memberSessionOf(request, services);
      if (grant) {
        for (const organization of organizations) {
          authorize(grant, {
            organization_id: organization.organization_id,
            resource_id: "stytch.member",
            action: MEMBER_ACTIONS.search.action,
          });
        }
      }
      const result = await services.members.search(project, organizations, request.body);
      const now = services.clock.now();
      return ok(request, {
        members: result.members.map((m) => memberToWire(m, now)),
        results_metadata: { total: result.total, next_cursor: result.next_cursor },
        organizations: Object.fromEntries(
          [...result.organizations].map(([id, organization]) => [id, organizationToWire(organization)]),
        ),
      });
    },
  );

  app.get<{ Params: Static<typeof DangerParams>; Querystring: Static<typeof DangerQuery> }>(
    "/v1/b2b/organizations/members/dangerously_get/:member_id",
    { schema: { params: DangerParams, querystring: DangerQuery, response: { 200: MemberResponse } } },
    async (request) => {
      const { member, organization } = await services.members.dangerouslyGet(
        projectOf(request),
        request.params.member_id,
        request.query.include_deleted === "true",
      );
      return memberResult(request, services.clock.now(), member, organization);
    },
  );
}
