import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import type { Member } from "../../members/member.js";
import type { Organization } from "../../organizations/organization.js";
import { type AppServices, ok } from "../context.js";
import { authorizeMemberSession } from "../member-authorization.js";
import { memberToWire, organizationToWire } from "../presenters.js";
import { AnyObject, MemberSchema, OrganizationSchema, response, Str } from "../schemas.js";

/** Schemas and the response builder shared by the member route files (organizations-members*.ts). */

export const OrgParams = Type.Object({ organization_id: Str });
export const OrgMemberParams = Type.Object({ organization_id: Str, member_id: Str });

/** The `{member_id, member, organization}` response of most member routes. */
export const MemberResponse = response({
  member_id: Str,
  member: MemberSchema,
  organization: OrganizationSchema,
});

/** Bounds far above real use, so no request can store unbounded text (API-1). */
export const MemberName = Type.String({ maxLength: 1024 });
export const Metadata = AnyObject;
export const RoleList = Type.Array(Type.String({ maxLength: 128 }), { maxItems: 100 });

export function memberResult(
  request: FastifyRequest,
  now: number,
  member: Member,
  organization: Organization,
) {
  return ok(request, {
    member_id: member.member_id,
    member: memberToWire(member, now),
    organization: organizationToWire(organization),
  });
}

/**
 * The member-session ("hdr") check of a member route: `action` on stytch.member in `organization`. Naming
 * `targetMemberId` lets a member act on its own record through stytch.self.
 */
export function authorizeMemberAction(
  request: FastifyRequest,
  services: Pick<AppServices, "sessions">,
  organization: Organization,
  action: string,
  targetMemberId?: string,
) {
  return authorizeMemberSession(request, services, {
    organization_id: organization.organization_id,
    resource_id: "stytch.member",
    action,
    ...(targetMemberId === undefined ? {} : { target_member_id: targetMemberId }),
  });
}
