import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { MEMBER_ACTIONS } from "../../members/member-permissions.js";
import { type AppServices, projectOf } from "../context.js";
import {
  authorizeMemberAction,
  MemberResponse,
  memberResult,
  OrgMemberParams,
} from "./organizations-members-schemas.js";

/**
 * PUT /v1/b2b/organizations/{organization_id}/members/{member_id}/reactivate ("hdr"): a deleted member with a
 * verified email becomes active again. The member is named by its Stytch member_id only (§3.4).
 */
export function registerOrganizationsMembersReactivateRoutes(
  app: FastifyInstance,
  services: AppServices,
): void {
  app.put<{ Params: Static<typeof OrgMemberParams> }>(
    "/v1/b2b/organizations/:organization_id/members/:member_id/reactivate",
    { schema: { params: OrgMemberParams, response: { 200: MemberResponse } } },
    async (request) => {
      const { organization, member } = await services.members.locateDeleted(
        projectOf(request),
        request.params.organization_id,
        request.params.member_id,
      );
      await authorizeMemberAction(request, services, organization, MEMBER_ACTIONS.reactivate.action);
      const active = await services.members.reactivate(member);
      return memberResult(request, services.clock.now(), active, organization);
    },
  );
}
