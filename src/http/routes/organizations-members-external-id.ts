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

/** DELETE /v1/b2b/organizations/{organization_id}/members/{member_id}/external_id ("hdr"). */
export function registerOrganizationsMembersExternalIdRoutes(
  app: FastifyInstance,
  services: AppServices,
): void {
  app.delete<{ Params: Static<typeof OrgMemberParams> }>(
    "/v1/b2b/organizations/:organization_id/members/:member_id/external_id",
    { schema: { params: OrgMemberParams, response: { 200: MemberResponse } } },
    async (request) => {
      const { organization, member } = await services.members.locate(
        projectOf(request),
        request.params.organization_id,
        request.params.member_id,
      );
      await authorizeMemberAction(request, services, organization, MEMBER_ACTIONS.externalId.action);
      const updated = await services.members.deleteExternalId(member);
      return memberResult(request, services.clock.now(), updated, organization);
    },
  );
}
