import type { Member } from "./member.js";

/** Persistence contract for members. Reads are scoped to one organization (and so to one project). */
export interface MembersStore {
  /** Inserts a member; a second member with the same normalised email in one org is refused by the database. */
  insertMember(member: Member): Promise<void>;
  /** Look-up by member_id, or by external id, within the organization. Deleted members are included. */
  findMember(organizationId: string, memberIdOrExternalId: string): Promise<Member | null>;
  /** Look-up by member_id alone, anywhere in the project (sessions name a member without its org). */
  findMemberInProject(projectId: string, memberId: string): Promise<Member | null>;
  findMemberByEmail(organizationId: string, normalizedEmail: string): Promise<Member | null>;
  /** Writes the given fields and bumps updated_at; returns the updated member. */
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
}
