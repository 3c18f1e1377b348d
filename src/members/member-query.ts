import { AuthError } from "../errors/auth-error.js";
import type { MemberStatus } from "./member.js";

/**
 * members/search queries (docs/stytch-b2b-api.md §4.7, §5.2): parsing and validation of Stytch's
 * `{operator, operands: [{filter_name, filter_value}]}` into a typed filter the repository turns into
 * parameterised SQL. Nothing from the request reaches SQL text: values are bound, names are matched here.
 */
export type MemberFilter =
  | { readonly kind: "member_ids"; readonly values: string[] }
  | { readonly kind: "member_emails"; readonly values: string[] }
  | { readonly kind: "member_email_fuzzy"; readonly value: string }
  | { readonly kind: "member_is_breakglass"; readonly value: boolean }
  | { readonly kind: "statuses"; readonly values: MemberStatus[] }
  | { readonly kind: "member_roles"; readonly values: string[] }
  | { readonly kind: "member_password_exists"; readonly value: boolean };

export interface MemberQuery {
  readonly operator: "AND" | "OR";
  readonly filters: MemberFilter[];
  /** Deleted members are returned only when a `statuses` filter names "deleted". */
  readonly includeDeleted: boolean;
}

/** Keyset position: members are returned by creation time, then member_id. */
export interface SearchCursor {
  readonly created_at: number;
  readonly member_id: string;
}

export interface MemberSearch {
  readonly projectId: string;
  readonly organizationIds: string[];
  readonly query: MemberQuery;
  readonly after: SearchCursor | null;
  readonly limit: number;
}

export const DEFAULT_SEARCH_LIMIT = 100;
export const MAX_SEARCH_LIMIT = 1000;
/** Bounds on one query, so a request cannot build an arbitrarily large statement. */
export const MAX_OPERANDS = 50;
export const MAX_FILTER_VALUES = 1000;
const MIN_FUZZY_LENGTH = 3;
const STATUSES: readonly MemberStatus[] = ["pending", "invited", "active", "deleted"];

export interface RawSearchQuery {
  operator: string;
  operands: Record<string, unknown>[];
}

/** An absent query, or one without operands, filters nothing (but still hides deleted members). */
export function parseMemberQuery(raw: RawSearchQuery | undefined): MemberQuery {
  if (raw === undefined) return { operator: "AND", filters: [], includeDeleted: false };
  // Stytch's own SDK test sends lower-case "or": the operator is case-insensitive.
  const operator = raw.operator.toUpperCase();
  if (operator !== "AND" && operator !== "OR") {
    throw invalid(`The operator must be AND or OR, not ${JSON.stringify(raw.operator)}.`);
  }
  if (raw.operands.length > MAX_OPERANDS) throw invalid(`A query may have at most ${MAX_OPERANDS} operands.`);
  const filters = raw.operands.map(parseOperand);
  const includeDeleted = filters.some((f) => f.kind === "statuses" && f.values.includes("deleted"));
  return { operator, filters, includeDeleted };
}

function parseOperand(operand: Record<string, unknown>): MemberFilter {
  const name = operand.filter_name;
  const value = operand.filter_value;
  switch (name) {
    case "member_ids":
      return { kind: name, values: stringList(name, value) };
    case "member_emails":
      // Stored addresses are normalised; a filter value that is not an address simply matches nothing.
      return { kind: name, values: stringList(name, value).map((e) => e.trim().toLowerCase()) };
    case "member_email_fuzzy": {
      if (typeof value !== "string") throw invalid(`${name} takes a string.`);
      const needle = value.trim().toLowerCase();
      if (needle.length < MIN_FUZZY_LENGTH) throw new AuthError("member_search_fuzzy_too_short");
      return { kind: name, value: needle };
    }
    case "member_is_breakglass":
    case "member_password_exists":
      if (typeof value !== "boolean") throw invalid(`${name} takes a boolean.`);
      return { kind: name, value };
    case "statuses": {
      const values = stringList(name, value).map((s) => s.toLowerCase());
      const unknown = values.find((s) => !STATUSES.includes(s as MemberStatus));
      if (unknown !== undefined) throw invalid(`Unknown member status ${JSON.stringify(unknown)}.`);
      return { kind: name, values: values as MemberStatus[] };
    }
    case "member_roles":
      return { kind: name, values: stringList(name, value) };
    default:
      throw invalid(`Unsupported filter_name ${JSON.stringify(name)}.`);
  }
}

function stringList(name: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string")) {
    throw invalid(`${name} takes a non-empty array of strings.`);
  }
  if (value.length > MAX_FILTER_VALUES) throw invalid(`${name} takes at most ${MAX_FILTER_VALUES} values.`);
  return value as string[];
}

function invalid(message: string): AuthError {
  return new AuthError("invalid_search_query", { message });
}

/** 0 or absent means the default page size (the OpenAPI allows 0); above the maximum is refused. */
export function searchLimit(limit: number | undefined): number {
  if (limit === undefined || limit === 0) return DEFAULT_SEARCH_LIMIT;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_SEARCH_LIMIT) {
    throw new AuthError("invalid_request_value", {
      message: `limit must be an integer from 0 to ${MAX_SEARCH_LIMIT}.`,
    });
  }
  return limit;
}

/**
 * Cursors are opaque to clients: base64url of the last returned member's position. They carry no secret and
 * grant nothing (every page is still scoped by the request's project, organizations and filters), so they
 * need no signature; a malformed one is 400 invalid_cursor.
 */
export function encodeCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify([cursor.created_at, cursor.member_id]), "utf8").toString("base64url");
}

export function decodeCursor(text: string | undefined): SearchCursor | null {
  if (text === undefined || text === "") return null;
  try {
    if (text.length > 512 || !/^[A-Za-z0-9_-]+$/.test(text)) throw new Error("shape");
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === "string" &&
      value[1].length <= 256
    ) {
      return { created_at: value[0] as number, member_id: value[1] };
    }
  } catch {
    // Falls through to the error below.
  }
  throw new AuthError("invalid_cursor");
}
