import type { Member } from "./member.js";
import type { MemberSearch } from "./member-query.js";

/**
 * Persistence contract for members. Reads are scoped to one organization (and so to one project).
 * One email address, and one external id, belong to at most one non-deleted member per organization; a
 * deleted member keeps its row (and its address, as history) but no longer holds either.
 */
export interface MembersStore {
  /**
   * Inserts a member. A second non-deleted member with the same normalised email, or the same external id, in
   * one org is refused by the database: AuthError duplicate_member_email / duplicate_member_external_id.
   */
  insertMember(member: Member): Promise<void>;
  /**
   * Look-up by member_id, or by external id, within the organization. Deleted members are included; a
   * member_id match wins, then a non-deleted member.
   */
  findMember(organizationId: string, memberIdOrExternalId: string): Promise<Member | null>;
  /** Look-up by member_id alone, anywhere in the project (sessions name a member without its org). */
  findMemberInProject(projectId: string, memberId: string): Promise<Member | null>;
  /** Look-up by normalised email; the non-deleted member when there is one, else the newest deleted one. */
  findMemberByEmail(organizationId: string, normalizedEmail: string): Promise<Member | null>;
  /** The member of the organization whose current password has this member_password_id. */
  findMemberByPasswordId(organizationId: string, memberPasswordId: string): Promise<Member | null>;
  /**
   * Writes the given fields and bumps updated_at; returns the updated member. The same uniqueness rules as
   * insertMember apply (an email or external id change, a reactivation).
   */
  updateMember(
    memberId: string,
    fields: Partial<Omit<Member, "member_id" | "project_id" | "organization_id">>,
    now: number,
  ): Promise<Member>;
  /**
   * Records one failed password attempt in a single statement, so concurrent failures are all counted.
   * When the count reaches `maxFailures` the member is locked until `lockUntil`. Returns the new state.
   */
  recordFailedAuth(memberId: string, maxFailures: number, now: number, lockUntil: number): Promise<Member>;

  /*
   * Cross-org passwords (src/passwords/shared-password.ts): the rows of one person, i.e. every member with one
   * normalised address in the project, read and written together through the members_project_email index.
   */

  /** The project's non-deleted members with this normalised email, most recently updated first. */
  findLiveMembersByEmail(projectId: string, normalizedEmail: string): Promise<Member[]>;
  /**
   * Writes the given fields on EVERY member with this email in the project, deleted ones included, in one
   * UPDATE, and bumps updated_at; returns the rows written. For fields that belong to the person (the shared
   * password, its lock): a deleted member that is later reactivated comes back with the current ones.
   */
  updateMembersByEmail(
    projectId: string,
    normalizedEmail: string,
    fields: Partial<
      Pick<
        Member,
        | "password_hash"
        | "member_password_id"
        | "failed_auth_count"
        | "lock_created_at"
        | "lock_expires_at"
        | "email_address_verified"
      >
    >,
    now: number,
  ): Promise<Member[]>;
  /** recordFailedAuth on every non-deleted member with this email in the project, in one statement. */
  recordFailedAuthByEmail(
    projectId: string,
    normalizedEmail: string,
    maxFailures: number,
    now: number,
    lockUntil: number,
  ): Promise<Member[]>;
  /** Whether any non-deleted member of the project has a password. */
  hasLivePassword(projectId: string): Promise<boolean>;
  /**
   * One page of members of the given organizations (all in `projectId`) matching the query, ordered by
   * creation time then member_id, starting after `after`; `total` counts every match, ignoring the cursor.
   * `more` tells whether another page follows.
   */
  searchMembers(search: MemberSearch): Promise<{ members: Member[]; total: number; more: boolean }>;
}
