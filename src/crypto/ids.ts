import { randomUUID } from "node:crypto";

/** Stytch-style prefixed identifiers: `<kind>-<environment>-<uuid v4>` (docs/stytch-b2b-api.md §3.3). */
export type Environment = "test" | "live";

export type IdKind =
  | "project"
  | "organization"
  | "member"
  | "member-password"
  | "member-session"
  | "member-email"
  | "jwk"
  | "request-id"
  | "public-token"
  | "secret-id";

export function newId(kind: IdKind, environment: Environment): string {
  return `${kind}-${environment}-${randomUUID()}`;
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** True when `value` has the exact shape of an id of this kind (any environment). */
export function isIdOf(kind: IdKind, value: string): boolean {
  return new RegExp(`^${kind}-(test|live)-${UUID}$`).test(value);
}
