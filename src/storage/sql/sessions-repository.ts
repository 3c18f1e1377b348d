import type { Kysely, Selectable } from "kysely";
import type { MemberSession } from "../../sessions/session.js";
import type { SessionsStore } from "../../sessions/sessions-store.js";
import type { Database, SessionTable } from "../database.js";
import { parseJson, toJson } from "./json.js";

function toSession(row: Omit<Selectable<SessionTable>, "token_hash">): MemberSession {
  return {
    member_session_id: row.member_session_id,
    project_id: row.project_id,
    organization_id: row.organization_id,
    member_id: row.member_id,
    token_salt: row.token_salt,
    started_at: row.started_at,
    last_accessed_at: row.last_accessed_at,
    expires_at: row.expires_at,
    authentication_factors: parseJson(row.authentication_factors),
    custom_claims: parseJson(row.custom_claims),
  };
}

const COLUMNS = [
  "member_session_id",
  "project_id",
  "organization_id",
  "member_id",
  "token_salt",
  "started_at",
  "last_accessed_at",
  "expires_at",
  "authentication_factors",
  "custom_claims",
] as const;

export class SessionsRepository implements SessionsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertSession(session: MemberSession, tokenHash: string): Promise<void> {
    await this.db
      .insertInto("sessions")
      .values({
        member_session_id: session.member_session_id,
        project_id: session.project_id,
        organization_id: session.organization_id,
        member_id: session.member_id,
        token_hash: tokenHash,
        token_salt: session.token_salt,
        started_at: session.started_at,
        last_accessed_at: session.last_accessed_at,
        expires_at: session.expires_at,
        authentication_factors: toJson(session.authentication_factors),
        custom_claims: toJson(session.custom_claims),
      })
      .execute();
  }

  async findByTokenHash(projectId: string, tokenHash: string, now: number): Promise<MemberSession | null> {
    const row = await this.db
      .selectFrom("sessions")
      .select(COLUMNS)
      .where("token_hash", "=", tokenHash)
      .where("project_id", "=", projectId)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return row ? toSession(row) : null;
  }

  async findById(projectId: string, sessionId: string, now: number): Promise<MemberSession | null> {
    const row = await this.db
      .selectFrom("sessions")
      .select(COLUMNS)
      .where("member_session_id", "=", sessionId)
      .where("project_id", "=", projectId)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return row ? toSession(row) : null;
  }

  async listLive(memberId: string, now: number): Promise<MemberSession[]> {
    const rows = await this.db
      .selectFrom("sessions")
      .select(COLUMNS)
      .where("member_id", "=", memberId)
      .where("expires_at", ">", now)
      .orderBy("started_at", "desc")
      .execute();
    return rows.map(toSession);
  }

  async updateSession(session: MemberSession): Promise<boolean> {
    const result = await this.db
      .updateTable("sessions")
      .set({
        last_accessed_at: session.last_accessed_at,
        expires_at: session.expires_at,
        authentication_factors: toJson(session.authentication_factors),
        custom_claims: toJson(session.custom_claims),
      })
      .where("member_session_id", "=", session.member_session_id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async deleteSession(projectId: string, sessionId: string): Promise<number> {
    const result = await this.db
      .deleteFrom("sessions")
      .where("member_session_id", "=", sessionId)
      .where("project_id", "=", projectId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await this.db.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteMemberSessions(memberId: string, keepSessionId?: string): Promise<number> {
    let query = this.db.deleteFrom("sessions").where("member_id", "=", memberId);
    if (keepSessionId !== undefined) query = query.where("member_session_id", "!=", keepSessionId);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
