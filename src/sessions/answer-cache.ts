import { sha256Hex } from "../crypto/random.js";
import { isLocked, type Member } from "../members/member.js";
import type { Clock } from "../shared/clock.js";
import type { ChangeFeed } from "../storage/change-feed.js";

/**
 * At most this many entries are kept for one second; past it, new answers are not kept. An answer is about
 * 4.5 KB and is kept under at most two keys sharing it (its credential, and the exact request SessionCheckFront
 * read), so this bounds the cache near 20 MB even when thousands of distinct sessions are checked each second
 * (when few of them repeat within their second anyway).
 */
export const MAX_KEPT_ANSWERS = 4096;

interface Entry<T> {
  answer: T;
  version: number;
  /** Never served at or past this instant (epoch ms): answerValidUntil. */
  validUntil: number;
}

/**
 * The instant until which an answer about this session and member stays true by itself: the session's expiry,
 * or sooner the end of the member's lock (the answer's is_locked would turn false at that instant).
 */
export function answerValidUntil(
  grant: { session: { expires_at: number }; member: Pick<Member, "lock_expires_at"> },
  now: number,
): number {
  const { session, member } = grant;
  return isLocked(member, now) && member.lock_expires_at !== null
    ? Math.min(session.expires_at, member.lock_expires_at)
    : session.expires_at;
}

/**
 * Same-second answers of sessions/authenticate, per node.
 *
 * Within one wall-clock second, two plain checks of the same credential get the same answer byte for byte:
 * last_accessed_at is carried in whole seconds (and written once per second), and the JWT minted for that
 * second is the same one (SigningKeys.signJwt). So an answer is kept for the rest of the second it was made in
 * and served again as is, unless something it was made of may have changed: every committed write to a
 * session, member, organization, project or signing key, on this node or another one (ChangeFeed), makes every
 * kept answer stale at once. Revocation therefore stays immediate (on PostgreSQL: as soon as the other node's
 * NOTIFY arrives, normally before its caller has its answer), and a stale answer can never outlive its second.
 *
 * Only plain checks are kept: a call that extends the session, sets claims or asks an authorization check
 * writes or decides something, and always runs in full. Failures are never kept. Keys are digests of the
 * credential (or of the whole request, for SessionCheckFront), so the cache holds no usable token. Memory is
 * bounded: the whole map is dropped at each new second, and at most MAX_KEPT_ANSWERS entries are kept within one.
 */
export class SessionAnswerCache<T> {
  private second = -1;
  private entries = new Map<string, Entry<T>>();

  constructor(
    private readonly changes: ChangeFeed,
    private readonly clock: Clock,
  ) {
    // A feed that starts watching on first use (PostgreSQL's listener) starts now, not on the first check.
    changes.version();
  }

  /**
   * The cache key of a plain check (exactly one credential and nothing else), or null for any other call.
   * Scoped to the project, so a credential presented under another project's secret never finds this answer.
   */
  static keyOf(
    projectId: string,
    input: {
      session_token?: string | undefined;
      session_jwt?: string | undefined;
      session_duration_minutes?: unknown;
      session_custom_claims?: unknown;
      authorization_check?: unknown;
    },
  ): string | null {
    if (
      input.session_duration_minutes !== undefined ||
      input.session_custom_claims !== undefined ||
      input.authorization_check !== undefined
    ) {
      return null;
    }
    const { session_token: token, session_jwt: jwt } = input;
    if (token && !jwt) return `${projectId}:t:${sha256Hex(token)}`;
    if (jwt && !token) return `${projectId}:j:${sha256Hex(jwt)}`;
    return null;
  }

  /** Call before reading what the answer is made of; give the result to `put`. Null: do not keep it. */
  begin(): number | null {
    return this.changes.version();
  }

  get(key: string): T | undefined {
    const now = this.clock.now();
    if (!this.sameSecond(now)) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.validUntil <= now || entry.version !== this.changes.version()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.answer;
  }

  /**
   * Keeps `answer`, made from data read after `begin()` returned `version`, for the rest of the current second.
   * `answeredAt` is the instant the answer speaks for (the session's last_accessed_at): an answer made in an
   * earlier second is not kept. `validUntil`: answerValidUntil.
   */
  put(key: string, answer: T, version: number | null, answeredAt: number, validUntil: number): void {
    if (version === null) return;
    const now = this.clock.now();
    this.sameSecond(now);
    if (Math.floor(answeredAt / 1000) !== this.second) return;
    if (this.entries.size >= MAX_KEPT_ANSWERS && !this.entries.has(key)) return;
    this.entries.set(key, { answer, version, validUntil });
  }

  /**
   * Keeps the answer found under `key` (which `get` just returned) under `alias` too, with the same version and
   * lifetime: the same request spelled another way finds it from now on.
   */
  alias(key: string, alias: string): void {
    const entry = this.entries.get(key);
    if (!entry || (this.entries.size >= MAX_KEPT_ANSWERS && !this.entries.has(alias))) return;
    this.entries.set(alias, entry);
  }

  /** Moves to the second `now` is in, dropping every answer of an earlier one; true if it was already there. */
  private sameSecond(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (second === this.second) return true;
    this.second = second;
    this.entries = new Map();
    return false;
  }
}
