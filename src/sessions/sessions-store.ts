import type { MemberSession } from "./session.js";

/** Persistence contract for member sessions. A revoked session is deleted: absence is the only "revoked". */
export interface SessionsStore {
  insertSession(session: MemberSession, tokenHash: string): Promise<void>;
  /** The live (unexpired) session with this token digest, in this project. */
  findByTokenHash(projectId: string, tokenHash: string, now: number): Promise<MemberSession | null>;
  /** The live session with this id, in this project. */
  findById(projectId: string, sessionId: string, now: number): Promise<MemberSession | null>;
  listLive(memberId: string, now: number): Promise<MemberSession[]>;
  /** Writes access time, expiry, factors and claims of an existing session; returns false if it is gone. */
  updateSession(session: MemberSession): Promise<boolean>;
  deleteSession(projectId: string, sessionId: string): Promise<number>;
  /** Deletes sessions that expired before `now`; returns how many. */
  deleteExpired(now: number): Promise<number>;
  /** Deletes every session of the member except `keepSessionId`; returns how many were deleted. */
  deleteMemberSessions(memberId: string, keepSessionId?: string): Promise<number>;
}
