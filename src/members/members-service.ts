import { newId } from "../crypto/ids.js";
import { AuthError } from "../errors/auth-error.js";
import type { Organization } from "../organizations/organization.js";
import type { OrganizationsService } from "../organizations/organizations-service.js";
import type { Project } from "../projects/project.js";
import type { Clock } from "../shared/clock.js";
import type { Store } from "../storage/store.js";
import {
  assertValidMemberExternalId,
  explicitRoles,
  type Member,
  type MemberStatus,
  mergeMetadata,
  normalizeEmail,
} from "./member.js";
import { assertNoMfaSettings, type UpdateMemberInput, updateMember } from "./member-update.js";
import { searchMembers } from "./members-search.js";

export interface MembersServiceDeps {
  store: Store;
  organizations: OrganizationsService;
  clock: Clock;
}

export interface CreateMemberInput {
  email_address: string;
  name?: string;
  trusted_metadata?: Record<string, unknown>;
  untrusted_metadata?: Record<string, unknown>;
  create_member_as_pending?: boolean;
  is_breakglass?: boolean;
  mfa_phone_number?: string;
  mfa_enrolled?: boolean;
  roles?: string[];
  external_id?: string;
}

/**
 * Member management (docs/stytch-b2b-api.md §5.2). Look-ups (`locate…`) and changes are separate calls so the
 * HTTP layer can authorize a member session against the resolved organization and member in between. Every
 * change that touches more than one row (delete: status, sessions, links) runs in one transaction (REL-6).
 */
export function createMembersService(deps: MembersServiceDeps) {
  const { store, clock } = deps;

  /** A member of `organization` by member_id or external id; deleted members are not found. */
  async function liveMember(organization: Organization, memberKey: string): Promise<Member> {
    const member = await store.members.findMember(organization.organization_id, memberKey);
    if (!member || member.status === "deleted") throw new AuthError("member_not_found");
    return member;
  }

  /** Inside a transaction: the member again, still live and still in the organization. */
  async function reread(tx: Store, organization: Organization, memberId: string): Promise<Member> {
    const member = await tx.members.findMemberInProject(organization.project_id, memberId);
    if (!member || member.organization_id !== organization.organization_id || member.status === "deleted") {
      throw new AuthError("member_not_found");
    }
    return member;
  }

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
        ? await store.members.findMember(organization.organization_id, query.member_id)
        : await store.members.findMemberByEmail(
            organization.organization_id,
            normalizeEmail(query.email_address ?? ""),
          );
      if (!member || member.status === "deleted") throw new AuthError("member_not_found");
      return { member, organization };
    },

    /** The organization (id, slug or external id) and its live member (member_id or external id). */
    async locate(
      project: Project,
      organizationKey: string,
      memberKey: string,
    ): Promise<{ organization: Organization; member: Member }> {
      const organization = await deps.organizations.get(project, organizationKey);
      return { organization, member: await liveMember(organization, memberKey) };
    },

    /**
     * The member whose current password has this id (deleted members have none that can be deleted). With
     * cross-org passwords on, 400 cross_org_passwords_enabled before any look-up: the password is the person's
     * in every organization, which one organization's delete must not remove (Stytch: deletePassword is for
     * organization-scoped passwords; passwords/email/require_reset is the cross-org way).
     */
    async locateByPasswordId(
      project: Project,
      organizationKey: string,
      memberPasswordId: string,
    ): Promise<{ organization: Organization; member: Member }> {
      if (project.settings.cross_org_passwords) throw new AuthError("cross_org_passwords_enabled");
      const organization = await deps.organizations.get(project, organizationKey);
      const member = await store.members.findMemberByPasswordId(
        organization.organization_id,
        memberPasswordId,
      );
      if (!member || member.status === "deleted") throw new AuthError("member_password_not_found");
      return { organization, member };
    },

    /**
     * A deleted member, for reactivation. Stytch accepts only the member_id here, not an external id (which
     * a deleted member no longer holds).
     */
    async locateDeleted(
      project: Project,
      organizationKey: string,
      memberId: string,
    ): Promise<{ organization: Organization; member: Member }> {
      const organization = await deps.organizations.get(project, organizationKey);
      const member = await store.members.findMemberInProject(project.project_id, memberId);
      if (!member || member.organization_id !== organization.organization_id || member.status !== "deleted") {
        throw new AuthError("no_deleted_member_found_for_reactivation");
      }
      return { organization, member };
    },

    /** POST …/{org}/members: an active member (or pending), with explicit roles and metadata. */
    async create(project: Project, organization: Organization, input: CreateMemberInput): Promise<Member> {
      const email = normalizeEmail(input.email_address);
      assertNoMfaSettings(input);
      if (input.external_id !== undefined) assertValidMemberExternalId(input.external_id);
      const status: MemberStatus = input.create_member_as_pending ? "pending" : "active";
      const member: Member = {
        ...newMember(project, organization, email, status, clock.now(), {
          name: input.name ?? "",
          roles: explicitRoles(input.roles ?? []),
          trusted_metadata: mergeMetadata("trusted_metadata", {}, input.trusted_metadata ?? {}),
          untrusted_metadata: mergeMetadata("untrusted_metadata", {}, input.untrusted_metadata ?? {}),
          external_id: input.external_id ?? null,
        }),
        is_breakglass: input.is_breakglass ?? false,
      };
      await store.members.insertMember(member);
      return member;
    },

    /** PUT …/{org}/members/{member_id}: only the supplied fields change (see member-update.ts). */
    update(
      project: Project,
      organization: Organization,
      memberId: string,
      input: UpdateMemberInput,
    ): Promise<Member> {
      return store.transaction(async (tx) => {
        const member = await reread(tx, organization, memberId);
        return updateMember(tx, project, member, input, clock.now());
      });
    },

    /**
     * DELETE …/{org}/members/{member_id}: the member becomes `deleted` (visible to dangerously_get with
     * include_deleted); its sessions are deleted and its unused email links (login, signup, invite, reset)
     * invalidated in the same transaction, so nothing it held still works (SES-4, ATK-29). This is also how an
     * invite is revoked.
     */
    async delete(organization: Organization, memberId: string): Promise<void> {
      await store.transaction(async (tx) => {
        const member = await reread(tx, organization, memberId);
        const now = clock.now();
        await tx.members.updateMember(member.member_id, { status: "deleted" }, now);
        await tx.sessions.deleteMemberSessions(member.member_id);
        await tx.emailTokens.invalidateMemberTokens(member.member_id, "magic_link", now);
        await tx.emailTokens.invalidateMemberTokens(member.member_id, "password_reset", now);
      });
    },

    /**
     * PUT …/{org}/members/{member_id}/reactivate: a deleted member with a verified email becomes active again,
     * unless another member took its address (or its external id) meanwhile.
     */
    async reactivate(member: Member): Promise<Member> {
      if (!member.email_address_verified) throw new AuthError("email_unverified_for_reactivation");
      const other = await store.members.findMemberByEmail(member.organization_id, member.email_address);
      if (other && other.member_id !== member.member_id && other.status !== "deleted") {
        throw new AuthError("reactivation_email_belongs_to_another_member");
      }
      try {
        return await store.members.updateMember(member.member_id, { status: "active" }, clock.now());
      } catch (error) {
        // A member created with the same address between the check and the update.
        if (error instanceof AuthError && error.type === "duplicate_member_email") {
          throw new AuthError("reactivation_email_belongs_to_another_member", { cause: error });
        }
        throw error;
      }
    },

    /**
     * DELETE …/members/passwords/{member_password_id}: the member has no password afterwards, and its unused
     * reset links die with the password they were for (ATK-28).
     */
    deletePassword(organization: Organization, memberId: string, memberPasswordId: string): Promise<Member> {
      return store.transaction(async (tx) => {
        const member = await reread(tx, organization, memberId);
        // The password may have been replaced since it was looked up: only the named one is deleted.
        if (member.member_password_id !== memberPasswordId) throw new AuthError("member_password_not_found");
        const now = clock.now();
        await tx.emailTokens.invalidateMemberTokens(member.member_id, "password_reset", now);
        return tx.members.updateMember(
          member.member_id,
          {
            password_hash: null,
            member_password_id: null,
            failed_auth_count: 0,
            lock_created_at: null,
            lock_expires_at: null,
          },
          now,
        );
      });
    },

    /** DELETE …/{org}/members/{member_id}/external_id. */
    deleteExternalId(member: Member): Promise<Member> {
      return store.members.updateMember(member.member_id, { external_id: null }, clock.now());
    },

    /**
     * GET …/members/dangerously_get/{member_id}: any member of the project by its Stytch member_id (no external
     * id, no organization scoping); deleted members only with include_deleted.
     */
    async dangerouslyGet(
      project: Project,
      memberId: string,
      includeDeleted: boolean,
    ): Promise<{ member: Member; organization: Organization }> {
      const member = await store.members.findMemberInProject(project.project_id, memberId);
      if (!member || (member.status === "deleted" && !includeDeleted))
        throw new AuthError("member_not_found");
      const organization = await deps.organizations.get(project, member.organization_id);
      return { member, organization };
    },

    search: (project: Project, organizations: Organization[], input: Parameters<typeof searchMembers>[3]) =>
      searchMembers(store, project, organizations, input),

    /** The organizations named (by id, slug or external id) in a search; unknown ones are 404. */
    async resolveOrganizations(project: Project, keys: readonly string[]): Promise<Organization[]> {
      if (keys.length === 0) throw new AuthError("member_search_organization_ids_empty");
      const found = new Map<string, Organization>();
      for (const key of keys) {
        const organization = await deps.organizations.get(project, key);
        found.set(organization.organization_id, organization);
      }
      return [...found.values()];
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
    retired_email_addresses: [],
  };
}
