/**
 * The one source of "now" for domain code (expiry, locks, rate limits), so tests can move time.
 * Times are epoch milliseconds everywhere inside Gatehouse; they become RFC 3339 only on the wire.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  constructor(private current = Date.now()) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}

/**
 * Recently formatted seconds. A sessions/authenticate answer formats some twenty timestamps (session, factors,
 * member, organization, JWT), and the same ones again on the next check of the same session: the profile showed
 * the formatting at 5% of the request. Bounded: when full, it starts over.
 */
const formatted = new Map<number, string>();
const MAX_FORMATTED = 8192;

/** RFC 3339 in UTC with second precision, as Stytch emits (`2021-12-29T12:33:09Z`). */
export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  const known = formatted.get(second);
  if (known !== undefined) return known;
  const iso = new Date(second * 1000).toISOString();
  // "YYYY-MM-DDTHH:MM:SS.mmmZ" is 24 characters for years 0–9999; only the extended form needs the regex.
  const text = iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d{3}Z$/, "Z");
  if (formatted.size >= MAX_FORMATTED) formatted.clear();
  formatted.set(second, text);
  return text;
}

export const MINUTE_MS = 60_000;
