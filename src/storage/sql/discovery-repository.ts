import type { Kysely, Selectable } from "kysely";
import type { DiscoveryStore, MembershipKey } from "../../discovery/discovery-store.js";
import type { IntermediateSession, IntermediateSessionFactor } from "../../discovery/intermediate-session.js";
import type { Database, IntermediateSessionTable } from "../database.js";
import { parseJson, toJson } from "./json.js";

function toIntermediateSession(row: Selectable<IntermediateSessionTable>): IntermediateSession {
  return {
    token_hash: row.token_hash,
    project_id: row.project_id,
    email_address: row.email_address,
    authentication_factors: parseJson<IntermediateSessionFactor[]>(row.authentication_factors),
    created_at: row.created_at,
    expires_at: row.expires_at,
    consumed_at: row.consumed_at,
  };
}

export class DiscoveryRepository implements DiscoveryStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertIntermediateSession(session: IntermediateSession): Promise<void> {
    await this.db
      .insertInto("intermediate_sessions")
      .values({ ...session, authentication_factors: toJson(session.authentication_factors) })
      .execute();
  }

  async findIntermediateSession(
    projectId: string,
    tokenHash: string,
    now: number,
  ): Promise<IntermediateSession | null> {
    const row = await this.db
      .selectFrom("intermediate_sessions")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .where("project_id", "=", projectId)
      .where("consumed_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return row ? toIntermediateSession(row) : null;
  }

  async consumeIntermediateSession(
    projectId: string,
    tokenHash: string,
    now: number,
  ): Promise<IntermediateSession | null> {
    const row = await this.db
      .updateTable("intermediate_sessions")
      .set({ consumed_at: now })
      .where("token_hash", "=", tokenHash)
      .where("project_id", "=", projectId)
      .where("consumed_at", "is", null)
      .where("expires_at", ">", now)
      .returningAll()
      .executeTakeFirst();
    return row ? toIntermediateSession(row) : null;
  }

  async deleteExpiredIntermediateSessions(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom("intermediate_sessions")
      .where("expires_at", "<=", before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async membershipsOf(projectId: string, email: string): Promise<MembershipKey[]> {
    return this.db
      .selectFrom("members")
      .select(["member_id", "organization_id", "status"])
      .where("project_id", "=", projectId)
      .where("email_address", "=", email)
      .orderBy("created_at")
      .orderBy("member_id")
      .execute();
  }

  async organizationsAllowingDomain(projectId: string, domain: string): Promise<string[]> {
    // organization_domains (0003) indexes every organization's email_allowed_domains, lower-cased.
    const rows = await this.db
      .selectFrom("organization_domains as d")
      .innerJoin("organizations as o", "o.organization_id", "d.organization_id")
      .select("o.organization_id")
      .where("o.project_id", "=", projectId)
      .where("d.kind", "=", "allowed")
      .where("d.domain", "=", domain)
      .orderBy("o.created_at")
      .orderBy("o.organization_id")
      .execute();
    return rows.map((r) => r.organization_id);
  }
}
