import type { Kysely, Selectable } from "kysely";
import type {
  AddressTokenKind,
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

/** The purpose stored with each address-bound kind. */
const ADDRESS_PURPOSES: Record<AddressTokenKind, string> = {
  discovery: "discovery",
  discovery_password_reset: "reset_password",
};

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

  async insertDiscoveryToken(token: DiscoveryToken, kind: AddressTokenKind = DISCOVERY): Promise<void> {
    await this.db
      .insertInto("email_tokens")
      .values({ ...token, kind, purpose: ADDRESS_PURPOSES[kind], organization_id: null, member_id: null })
      .execute();
  }

  async findDiscoveryToken(
    projectId: string,
    tokenHash: string,
    kind: AddressTokenKind = DISCOVERY,
  ): Promise<DiscoveryToken | null> {
    const row = await this.findRow(projectId, kind, tokenHash);
    return row ? toDiscoveryToken(row) : null;
  }

  async consumeDiscoveryToken(
    projectId: string,
    tokenHash: string,
    now: number,
    kind: AddressTokenKind = DISCOVERY,
  ): Promise<DiscoveryConsumeResult> {
    const consumed = await this.consumeRow(projectId, kind, tokenHash, now);
    if (consumed) return { status: "consumed", token: toDiscoveryToken(consumed) };
    const existing = await this.findRow(projectId, kind, tokenHash);
    return existing
      ? { status: "used_or_expired", token: toDiscoveryToken(existing) }
      : { status: "not_found" };
  }

  async invalidateAddressTokens(
    projectId: string,
    email: string,
    kinds: readonly string[],
    now: number,
  ): Promise<void> {
    if (kinds.length === 0) return;
    // email_tokens_address (migration 0006) serves this look-up.
    await this.db
      .updateTable("email_tokens")
      .set({ consumed_at: now })
      .where("project_id", "=", projectId)
      .where("email_address", "=", email)
      .where("kind", "in", kinds)
      .where("consumed_at", "is", null)
      .execute();
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
