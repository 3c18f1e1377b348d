import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { AuthError } from "../../errors/auth-error.js";
import { MEMBER_ACTIONS, updateActions } from "../../members/member-permissions.js";
import { authorize } from "../../rbac/authorize.js";
import { type AppServices, ok, projectOf } from "../context.js";
import { memberSessionOf } from "../member-authorization.js";
import { Bool, response, Str } from "../schemas.js";
import {
  authorizeMemberAction,
  MemberName,
  MemberResponse,
  Metadata,
  memberResult,
  OrgMemberParams,
  OrgParams,
  RoleList,
} from "./organizations-members-schemas.js";

/**
 * /v1/b2b/organizations/{organization_id}/member (get; singular, Stytch's path) and …/members[/{member_id}]
 * (create, update, delete). The organization may be named by id, slug or external id, the member by
 * member_id or external id (§3.4). Create, update and delete accept a member-session header ("hdr").
 */

const GetQuery = Type.Object({ member_id: Type.Optional(Str), email_address: Type.Optional(Str) });

const CreateBody = Type.Object({
  email_address: Str,
  name: Type.Optional(MemberName),
  trusted_metadata: Type.Optional(Metadata),
  untrusted_metadata: Type.Optional(Metadata),
  create_member_as_pending: Type.Optional(Bool),
  is_breakglass: Type.Optional(Bool),
  mfa_phone_number: Type.Optional(Str),
  mfa_enrolled: Type.Optional(Bool),
  roles: Type.Optional(RoleList),
  external_id: Type.Optional(Str),
});

const UpdateBody = Type.Object({
  name: Type.Optional(MemberName),
  trusted_metadata: Type.Optional(Metadata),
  untrusted_metadata: Type.Optional(Metadata),
  is_breakglass: Type.Optional(Bool),
  mfa_phone_number: Type.Optional(Str),
  mfa_enrolled: Type.Optional(Bool),
  roles: Type.Optional(RoleList),
  preserve_existing_sessions: Type.Optional(Bool),
  default_mfa_method: Type.Optional(Str),
  email_address: Type.Optional(Str),
  external_id: Type.Optional(Str),
  unlink_email: Type.Optional(Bool),
});

const DeleteResponse = response({ member_id: Str });

export function registerOrganizationsMembersRoutes(app: FastifyInstance, services: AppServices): void {
  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof GetQuery> }>(
    "/v1/b2b/organizations/:organization_id/member",
    { schema: { params: OrgParams, querystring: GetQuery, response: { 200: MemberResponse } } },
    async (request) => {
      const { member, organization } = await services.members.get(
        projectOf(request),
        request.params.organization_id,
        request.query,
      );
      return memberResult(request, services.clock.now(), member, organization);
    },
  );

  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof CreateBody> }>(
    "/v1/b2b/organizations/:organization_id/members",
    { schema: { params: OrgParams, body: CreateBody, response: { 200: MemberResponse } } },
    async (request) => {
      const project = projectOf(request);
      const organization = await services.organizations.get(project, request.params.organization_id);
      await authorizeMemberAction(request, services, organization, MEMBER_ACTIONS.create.action);
      const member = await services.members.create(project, organization, request.body);
      return memberResult(request, services.clock.now(), member, organization);
    },
  );

  app.put<{ Params: Static<typeof OrgMemberParams>; Body: Static<typeof UpdateBody> }>(
    "/v1/b2b/organizations/:organization_id/members/:member_id",
    { schema: { params: OrgMemberParams, body: UpdateBody, response: { 200: MemberResponse } } },
    async (request) => {
      const project = projectOf(request);
      const { organization, member } = await services.members.locate(
        project,
        request.params.organization_id,
        request.params.member_id,
      );
      // Who acts decides which checks apply (one's own email, stytch.self), so the session is resolved first;
      // then every supplied field needs its own action.
      const grant = await memberSessionOf(request, services);
      if (grant) {
        if (grant.organization.organization_id !== organization.organization_id) {
          throw new AuthError("session_authorization_tenancy_error");
        }
        const isSelf = grant.member.member_id === member.member_id;
        for (const { action, self } of updateActions(request.body, isSelf)) {
          authorize(grant, {
            organization_id: organization.organization_id,
            resource_id: "stytch.member",
            action,
            ...(self ? { target_member_id: member.member_id } : {}),
          });
        }
      }
      const updated = await services.members.update(project, organization, member.member_id, request.body);
      return memberResult(request, services.clock.now(), updated, organization);
    },
  );

  app.delete<{ Params: Static<typeof OrgMemberParams> }>(
    "/v1/b2b/organizations/:organization_id/members/:member_id",
    { schema: { params: OrgMemberParams, response: { 200: DeleteResponse } } },
    async (request) => {
      const { organization, member } = await services.members.locate(
        projectOf(request),
        request.params.organization_id,
        request.params.member_id,
      );
      await authorizeMemberAction(
        request,
        services,
        organization,
        MEMBER_ACTIONS.delete.action,
        member.member_id,
      );
      await services.members.delete(organization, member.member_id);
      return ok(request, { member_id: member.member_id });
    },
  );
}
