import type { MemberStatus } from "../members/member.js";
import type { IntermediateSession } from "./intermediate-session.js";

/** A member row of an address, as discovery needs it before loading the member and its organization. */
export interface MembershipKey {
  readonly member_id: string;
  readonly organization_id: string;
  readonly status: MemberStatus;
}

/** Persistence contract of discovery: intermediate sessions, and the cross-organization look-ups by address. */
export interface DiscoveryStore {
  insertIntermediateSession(session: IntermediateSession): Promise<void>;
  /** The IST if it exists in this project, is unused and unexpired at `now`; null otherwise (no consumption). */
  findIntermediateSession(
    projectId: string,
    tokenHash: string,
    now: number,
  ): Promise<IntermediateSession | null>;
  /**
   * Consumes the IST in ONE conditional statement (UPDATE … WHERE consumed_at IS NULL AND expires_at > now
   * RETURNING …): of concurrent callers exactly one gets it; the others (and unknown, used, expired or
   * other-project tokens) get null.
   */
  consumeIntermediateSession(
    projectId: string,
    tokenHash: string,
    now: number,
  ): Promise<IntermediateSession | null>;
  /** Deletes ISTs that expired before `before` (used or not); returns how many. */
  deleteExpiredIntermediateSessions(before: number): Promise<number>;
  /** Every member of the project with this normalised address, deleted ones included, oldest first. */
  membershipsOf(projectId: string, email: string): Promise<MembershipKey[]>;
  /**
   * Ids of the project's organizations that list `domain` (lower-cased) in email_allowed_domains, oldest first.
   * The caller still checks each organization's JIT policy.
   */
  organizationsAllowingDomain(projectId: string, domain: string): Promise<string[]>;
}
