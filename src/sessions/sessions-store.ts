import type { Member } from "../members/member.js";
import type { Organization } from "../organizations/organization.js";
import type { MemberSession } from "./session.js";

/** A live session with its member and organization, as sessions/authenticate needs them. */
export interface LiveSession {
  session: MemberSession;
  member: Member;
  organization: Organization;
}

/** Persistence contract for member sessions. A revoked session is deleted: absence is the only "revoked". */
export interface SessionsStore {
  insertSession(session: MemberSession, tokenHash: string): Promise<void>;
  /** The live (unexpired) session with this token digest, in this project. */
  findByTokenHash(projectId: string, tokenHash: string, now: number): Promise<MemberSession | null>;
  /** The live session with this id, in this project. */
  findById(projectId: string, sessionId: string, now: number): Promise<MemberSession | null>;
  /**
   * The hot path of sessions/authenticate: the live session named by its token digest or its id, with its
   * member and organization, in ONE indexed query (a join on primary keys). Null when any of them is missing.
   */
  findLive(
    projectId: string,
    key: { tokenHash: string } | { sessionId: string },
    now: number,
  ): Promise<LiveSession | null>;
  listLive(memberId: string, now: number): Promise<MemberSession[]>;
  /**
   * Records that the session was used at `at`, written behind (within a fraction of a second, in one commit
   * with other accesses; never moving the time backwards): the access time is informational, so a check does
   * not wait for a disk flush. Reads through this store see it at once.
   */
  recordAccess(sessionId: string, at: number): void;
  /** Writes access time, expiry, factors and claims of an existing session; returns false if it is gone. */
  updateSession(session: MemberSession): Promise<boolean>;
  deleteSession(projectId: string, sessionId: string): Promise<number>;
  /** Deletes sessions that expired before `now`; returns how many. */
  deleteExpired(now: number): Promise<number>;
  /** Deletes every session of the member except `keepSessionId`; returns how many were deleted. */
  deleteMemberSessions(memberId: string, keepSessionId?: string): Promise<number>;
}
