import type { Clock } from "../shared/clock.js";
import type { Store } from "./store.js";

/** How long spent tokens stay after expiry (for "used or expired" vs "not found" answers, and audits). */
const TOKEN_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Longest rate-limit window in use is one minute; anything older than a day is dead weight. */
const COUNTER_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes rows nothing can use any more: expired sessions, email tokens a day past expiry, expired
 * intermediate sessions, old rate-limit counters. Every statement is an idempotent range delete, so several
 * nodes may run it at once.
 */
export async function sweepExpired(
  store: Store,
  clock: Clock,
): Promise<{ sessions: number; tokens: number; counters: number }> {
  const now = clock.now();
  return {
    sessions: await store.sessions.deleteExpired(now),
    // Intermediate sessions count as tokens; every unusable one answers the same 404, so none is kept.
    tokens:
      (await store.emailTokens.deleteExpired(now - TOKEN_RETENTION_MS)) +
      (await store.discovery.deleteExpiredIntermediateSessions(now)),
    counters: await store.rateLimits.deleteOlderThan(now - COUNTER_RETENTION_MS),
  };
}

/** Runs sweepExpired every `intervalMs` in the background (the timer does not keep the process alive). */
export function startJanitor(
  store: Store,
  clock: Clock,
  log: { warn(obj: object, msg?: string): void },
  intervalMs = 10 * 60 * 1000,
): () => void {
  const timer = setInterval(() => {
    sweepExpired(store, clock).catch((err: unknown) => log.warn({ err }, "janitor sweep failed"));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
