import { newId } from "../crypto/ids.js";
import { AuthError } from "../errors/auth-error.js";
import type { Organization } from "../organizations/organization.js";
import type { OrganizationsService } from "../organizations/organizations-service.js";
import type { Project } from "../projects/project.js";
import type { Clock } from "../shared/clock.js";
import { type Member, type MemberStatus, normalizeEmail } from "./member.js";
import type { MembersStore } from "./members-store.js";

export interface MembersServiceDeps {
  store: { members: MembersStore };
  organizations: OrganizationsService;
  clock: Clock;
}

export function createMembersService(deps: MembersServiceDeps) {
  return {
    /** GET …/{org}/member: by member_id (or external id) or by email_address; deleted members are not found. */
    async get(
      project: Project,
      organizationIdOrSlug: string,
      query: { member_id?: string; email_address?: string },
    ): Promise<{ member: Member; organization: Organization }> {
      const organization = await deps.organizations.get(project, organizationIdOrSlug);
      if (!query.member_id && !query.email_address) throw new AuthError("invalid_member_get_fields");
      const member = query.member_id
        ? await deps.store.members.findMember(organization.organization_id, query.member_id)
        : await deps.store.members.findMemberByEmail(
            organization.organization_id,
            normalizeEmail(query.email_address ?? ""),
          );
      if (!member || member.status === "deleted") throw new AuthError("member_not_found");
      return { member, organization };
    },
  };
}

export type MembersService = ReturnType<typeof createMembersService>;

/** A new member row with every field at its default. */
export function newMember(
  project: Project,
  organization: Organization,
  email: string,
  status: MemberStatus,
  now: number,
  fields: Partial<
    Pick<Member, "name" | "roles" | "trusted_metadata" | "untrusted_metadata" | "external_id">
  > = {},
): Member {
  return {
    member_id: newId("member", project.environment),
    project_id: project.project_id,
    organization_id: organization.organization_id,
    email_address: email,
    email_id: newId("member-email", project.environment),
    status,
    name: fields.name ?? "",
    email_address_verified: false,
    is_breakglass: false,
    external_id: fields.external_id ?? null,
    roles: fields.roles ?? [],
    trusted_metadata: fields.trusted_metadata ?? {},
    untrusted_metadata: fields.untrusted_metadata ?? {},
    member_password_id: null,
    password_hash: null,
    failed_auth_count: 0,
    lock_created_at: null,
    lock_expires_at: null,
    created_at: now,
    updated_at: now,
  };
}
