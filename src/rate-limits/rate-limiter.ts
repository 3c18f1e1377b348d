import { AuthError } from "../errors/auth-error.js";
import type { Clock } from "../shared/clock.js";

export interface RateLimitStore {
  /**
   * Counts one hit in `bucket` for the fixed window starting at `windowStart` and returns the count so far in
   * that window, in one atomic upsert (so concurrent hits, on any node, are all counted).
   */
  hit(bucket: string, windowStart: number): Promise<number>;
  /** Deletes counters whose window started before `before`; returns how many. */
  deleteOlderThan(before: number): Promise<number>;
}

export interface RateLimit {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Fixed-window limits kept in the database, so every node shares them ("top of the window", like Stytch's).
 * A refused hit throws 429 too_many_requests with Retry-After set to the end of the window.
 */
export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly clock: Clock,
  ) {}

  async consume(limit: RateLimit, key: string): Promise<void> {
    const now = this.clock.now();
    const windowStart = now - (now % limit.windowMs);
    const count = await this.store.hit(`${limit.name}:${key}`, windowStart);
    if (count > limit.limit) {
      throw new AuthError("too_many_requests", {
        retryAfterSeconds: Math.max(1, Math.ceil((windowStart + limit.windowMs - now) / 1000)),
      });
    }
  }
}

/**
 * Emails to one recipient, across every endpoint that sends one: at most 5 a minute. Stytch documents
 * 1 per second per address; a per-minute budget stops the same flood while letting a user ask again
 * when a message is slow to arrive (docs/decisions.md).
 */
export const EMAILS_PER_RECIPIENT: RateLimit = { name: "email-recipient", limit: 5, windowMs: 60_000 };
