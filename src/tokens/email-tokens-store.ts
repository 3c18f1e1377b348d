import type {
  AddressTokenKind,
  ConsumeResult,
  DiscoveryConsumeResult,
  DiscoveryToken,
  EmailToken,
  EmailTokenKind,
} from "./email-token.js";

export interface EmailTokensStore {
  insertToken(token: EmailToken): Promise<void>;
  /**
   * Consumes the token in ONE conditional statement (UPDATE … WHERE consumed_at IS NULL AND expires_at > now
   * RETURNING …): under any number of concurrent callers, exactly one gets "consumed". Tokens of another
   * project or kind read as not_found.
   */
  consumeToken(
    projectId: string,
    kind: EmailTokenKind,
    tokenHash: string,
    now: number,
  ): Promise<ConsumeResult>;
  /** Reads a token without consuming it (to check its PKCE challenge first, which never changes). */
  findToken(projectId: string, kind: EmailTokenKind, tokenHash: string): Promise<EmailToken | null>;
  /** Deletes tokens that expired before `before` (used or not, every kind); returns how many. */
  deleteExpired(before: number): Promise<number>;
  /** Invalidates every unused token of this kind for the member (after a password change, ATK-28). */
  invalidateMemberTokens(memberId: string, kind: EmailTokenKind, now: number): Promise<void>;

  /** Stores an address-bound link (kind "discovery" unless given; no organization or member). */
  insertDiscoveryToken(token: DiscoveryToken, kind?: AddressTokenKind): Promise<void>;
  /** Reads an address-bound link without consuming it; links of other kinds or projects are not found. */
  findDiscoveryToken(
    projectId: string,
    tokenHash: string,
    kind?: AddressTokenKind,
  ): Promise<DiscoveryToken | null>;
  /** Consumes an address-bound link with the same single-statement guarantee as consumeToken. */
  consumeDiscoveryToken(
    projectId: string,
    tokenHash: string,
    now: number,
    kind?: AddressTokenKind,
  ): Promise<DiscoveryConsumeResult>;
  /**
   * Invalidates every unused token of these kinds sent to this address in the project, member-bound or not
   * (cross-org password changes: a reset link must not outlive the password it was for, ATK-28).
   */
  invalidateAddressTokens(
    projectId: string,
    email: string,
    kinds: readonly (EmailTokenKind | AddressTokenKind)[],
    now: number,
  ): Promise<void>;
}
