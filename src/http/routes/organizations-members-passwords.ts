import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { MEMBER_ACTIONS } from "../../members/member-permissions.js";
import { type AppServices, projectOf } from "../context.js";
import { Str } from "../schemas.js";
import { authorizeMemberAction, MemberResponse, memberResult } from "./organizations-members-schemas.js";

/**
 * DELETE /v1/b2b/organizations/{organization_id}/members/passwords/{member_password_id} ("hdr"): removes the
 * member's password; a member session may remove its own (stytch.self) or, as a manager, anyone's.
 */
const Params = Type.Object({ organization_id: Str, member_password_id: Str });

export function registerOrganizationsMembersPasswordsRoutes(
  app: FastifyInstance,
  services: AppServices,
): void {
  app.delete<{ Params: Static<typeof Params> }>(
    "/v1/b2b/organizations/:organization_id/members/passwords/:member_password_id",
    { schema: { params: Params, response: { 200: MemberResponse } } },
    async (request) => {
      const { organization, member } = await services.members.locateByPasswordId(
        projectOf(request),
        request.params.organization_id,
        request.params.member_password_id,
      );
      await authorizeMemberAction(
        request,
        services,
        organization,
        MEMBER_ACTIONS.deletePassword.action,
        member.member_id,
      );
      const updated = await services.members.deletePassword(
        organization,
        member.member_id,
        request.params.member_password_id,
      );
      return memberResult(request, services.clock.now(), updated, organization);
    },
  );
}
