import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { type AppServices, ok, projectOf } from "../context.js";
import { memberToWire, organizationToWire } from "../presenters.js";
import { MemberSchema, OrganizationSchema, response, Str } from "../schemas.js";

/** /v1/b2b/organizations/{organization_id}/member (note: singular, Stytch's path for "get"). */

const Params = Type.Object({ organization_id: Str });
const Query = Type.Object({ member_id: Type.Optional(Str), email_address: Type.Optional(Str) });
const MemberResponse = response({ member_id: Str, member: MemberSchema, organization: OrganizationSchema });

export function registerOrganizationsMembersRoutes(app: FastifyInstance, services: AppServices): void {
  app.get<{ Params: Static<typeof Params>; Querystring: Static<typeof Query> }>(
    "/v1/b2b/organizations/:organization_id/member",
    { schema: { params: Params, querystring: Query, response: { 200: MemberResponse } } },
    async (request) => {
      const { member, organization } = await services.members.get(
        projectOf(request),
        request.params.organization_id,
        request.query,
      );
      return ok(request, {
        member_id: member.member_id,
        member: memberToWire(member, services.clock.now()),
        organization: organizationToWire(organization),
      });
    },
  );
}
