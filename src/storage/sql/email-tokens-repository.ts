import type { Kysely, Selectable } from "kysely";
import type {
  ConsumeResult,
  DiscoveryConsumeResult,
  DiscoveryToken,
  EmailToken,
  EmailTokenKind,
  EmailTokenPurpose,
} from "../../tokens/email-token.js";
import type { EmailTokensStore } from "../../tokens/email-tokens-store.js";
import type { Database, EmailTokenTable } from "../database.js";

type Row = Selectable<EmailTokenTable>;

const DISCOVERY = "discovery";

function toToken(row: Row): EmailToken {
  // Member-bound kinds always carry both ids (CHECK email_tokens_member_bound, migration 0002).
  if (row.organization_id === null || row.member_id === null) {
    throw new Error(`email token of kind ${row.kind} without organization or member`);
  }
  return {
    ...row,
    organization_id: row.organization_id,
    member_id: row.member_id,
    kind: row.kind as EmailTokenKind,
    purpose: row.purpose as EmailTokenPurpose,
  };
}

function toDiscoveryToken(row: Row): DiscoveryToken {
  return {
    token_hash: row.token_hash,
    project_id: row.project_id,
    email_address: row.email_address,
    pkce_challenge: row.pkce_challenge,
    created_at: row.created_at,
    expires_at: row.expires_at,
    consumed_at: row.consumed_at,
  };
}

export class EmailTokensRepository implements EmailTokensStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertToken(token: EmailToken): Promise<void> {
    await this.db.insertInto("email_tokens").values(token).execute();
  }

  async findToken(projectId: string, kind: EmailTokenKind, tokenHash: string): Promise<EmailToken | null> {
    const row = await this.findRow(projectId, kind, tokenHash);
    return row ? toToken(row) : null;
  }

  async consumeToken(
    projectId: string,
    kind: EmailTokenKind,
    tokenHash: string,
    now: number,
  ): Promise<ConsumeResult> {
    const consumed = await this.consumeRow(projectId, kind, tokenHash, now);
    if (consumed) return { status: "consumed", token: toToken(consumed) };
    const existing = await this.findRow(projectId, kind, tokenHash);
    return existing ? { status: "used_or_expired", token: toToken(existing) } : { status: "not_found" };
  }

  async insertDiscoveryToken(token: DiscoveryToken): Promise<void> {
    await this.db
      .insertInto("email_tokens")
      .values({ ...token, kind: DISCOVERY, purpose: DISCOVERY, organization_id: null, member_id: null })
      .execute();
  }

  async findDiscoveryToken(projectId: string, tokenHash: string): Promise<DiscoveryToken | null> {
    const row = await this.findRow(projectId, DISCOVERY, tokenHash);
    return row ? toDiscoveryToken(row) : null;
  }

  async consumeDiscoveryToken(
    projectId: string,
    tokenHash: string,
    now: number,
  ): Promise<DiscoveryConsumeResult> {
    const consumed = await this.consumeRow(projectId, DISCOVERY, tokenHash, now);
    if (consumed) return { status: "consumed", token: toDiscoveryToken(consumed) };
    const existing = await this.findRow(projectId, DISCOVERY, tokenHash);
    return existing
      ? { status: "used_or_expired", token: toDiscoveryToken(existing) }
      : { status: "not_found" };
  }

  async deleteExpired(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom("email_tokens")
      .where("expires_at", "<=", before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async invalidateMemberTokens(memberId: string, kind: EmailTokenKind, now: number): Promise<void> {
    await this.db
      .updateTable("email_tokens")
      .set({ consumed_at: now })
      .where("member_id", "=", memberId)
      .where("kind", "=", kind)
      .where("consumed_at", "is", null)
      .execute();
  }

  private findRow(projectId: string, kind: string, tokenHash: string): Promise<Row | undefined> {
    return this.db
      .selectFrom("email_tokens")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .where("project_id", "=", projectId)
      .where("kind", "=", kind)
      .executeTakeFirst();
  }

  /** The single conditional UPDATE that makes a token ours, or undefined when it is not (any longer) usable. */
  private consumeRow(
    projectId: string,
    kind: string,
    tokenHash: string,
    now: number,
  ): Promise<Row | undefined> {
    return this.db
      .updateTable("email_tokens")
      .set({ consumed_at: now })
      .where("token_hash", "=", tokenHash)
      .where("project_id", "=", projectId)
      .where("kind", "=", kind)
      .where("consumed_at", "is", null)
      .where("expires_at", ">", now)
      .returningAll()
      .executeTakeFirst();
  }
}
