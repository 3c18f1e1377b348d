import type { Kysely, Selectable } from "kysely";
import type {
  ConsumeResult,
  EmailToken,
  EmailTokenKind,
  EmailTokenPurpose,
} from "../../tokens/email-token.js";
import type { EmailTokensStore } from "../../tokens/email-tokens-store.js";
import type { Database, EmailTokenTable } from "../database.js";

function toToken(row: Selectable<EmailTokenTable>): EmailToken {
  return { ...row, kind: row.kind as EmailTokenKind, purpose: row.purpose as EmailTokenPurpose };
}

export class EmailTokensRepository implements EmailTokensStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertToken(token: EmailToken): Promise<void> {
    await this.db.insertInto("email_tokens").values(token).execute();
  }

  async findToken(projectId: string, kind: EmailTokenKind, tokenHash: string): Promise<EmailToken | null> {
    const row = await this.db
      .selectFrom("email_tokens")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .where("project_id", "=", projectId)
      .where("kind", "=", kind)
      .executeTakeFirst();
    return row ? toToken(row) : null;
  }

  async consumeToken(
    projectId: string,
    kind: EmailTokenKind,
    tokenHash: string,
    now: number,
  ): Promise<ConsumeResult> {
    const consumed = await this.db
      .updateTable("email_tokens")
      .set({ consumed_at: now })
      .where("token_hash", "=", tokenHash)
      .where("project_id", "=", projectId)
      .where("kind", "=", kind)
      .where("consumed_at", "is", null)
      .where("expires_at", ">", now)
      .returningAll()
      .executeTakeFirst();
    if (consumed) return { status: "consumed", token: toToken(consumed) };
    const existing = await this.findToken(projectId, kind, tokenHash);
    return existing ? { status: "used_or_expired", token: existing } : { status: "not_found" };
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
}
