import { AuthError } from "../errors/auth-error.js";
import { normalizeDomain } from "./organization.js";

/**
 * organizations.search (docs/stytch-b2b-api.md §4.7, §5.1): the wire query is checked and normalised here into
 * filters the store turns into parameterised SQL, always inside one project.
 */

/** Exact-match filters: the organization matches when one of `values` matches. */
export type ListFilterName =
  | "organization_ids"
  | "organization_slugs"
  | "member_emails"
  | "allowed_domains"
  | "claimed_email_domains";

/** Case-insensitive substring filters. */
export type FuzzyFilterName =
  | "organization_name_fuzzy"
  | "organization_slug_fuzzy"
  | "member_email_fuzzy"
  | "allowed_domain_fuzzy";

export type OrganizationFilter =
  | { readonly name: ListFilterName; readonly values: readonly string[] }
  | { readonly name: FuzzyFilterName; readonly value: string }
  | { readonly name: "has_active_sso_connection"; readonly flag: boolean }
  | { readonly name: "sso_connection_id"; readonly value: string };

/** Where a page starts: strictly after this (created_at, organization_id) in the search's order. */
export interface SearchPosition {
  readonly created_at: number;
  readonly organization_id: string;
}

export interface OrganizationSearch {
  readonly operator: "AND" | "OR";
  /** Empty: every organization of the project. */
  readonly filters: readonly OrganizationFilter[];
  readonly limit: number;
  readonly after: SearchPosition | null;
}

export interface SearchRequest {
  cursor?: string;
  limit?: number;
  query?: { operator?: string; operands?: Record<string, unknown>[] };
}

export const DEFAULT_SEARCH_LIMIT = 100;
export const MAX_SEARCH_LIMIT = 1000;
/** Bounds on one query, so a request cannot build a statement past the engines' parameter limits. */
const MAX_OPERANDS = 20;
const MAX_FILTER_VALUES = 1000;
const MAX_FUZZY_LENGTH = 256;
const MIN_FUZZY_LENGTH = 3;

const LIST_FILTERS: Record<ListFilterName, (value: string) => string> = {
  organization_ids: (v) => v,
  // Slugs are unique case-insensitively and stored lower-cased beside the original (slug_key).
  organization_slugs: (v) => v.toLowerCase(),
  // Member emails are stored trimmed and lower-cased.
  member_emails: (v) => v.trim().toLowerCase(),
  allowed_domains: normalizeDomain,
  claimed_email_domains: normalizeDomain,
};

const FUZZY_FILTERS: ReadonlySet<string> = new Set<FuzzyFilterName>([
  "organization_name_fuzzy",
  "organization_slug_fuzzy",
  "member_email_fuzzy",
  "allowed_domain_fuzzy",
]);

/** Checks and normalises a search request. Limit 0 or absent is the default; above the maximum is clamped. */
export function parseSearch(request: SearchRequest): OrganizationSearch {
  const limit = Math.min(request.limit || DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT);
  const after = request.cursor ? decodeCursor(request.cursor) : null;
  if (!request.query) return { operator: "AND", filters: [], limit, after };

  const operator = (request.query.operator ?? "").toUpperCase();
  // Stytch's own SDK test sends "or": the operator is accepted in any case.
  if (operator !== "AND" && operator !== "OR") {
    throw new AuthError("invalid_search_query", { message: "query.operator must be AND or OR." });
  }
  const operands = request.query.operands ?? [];
  if (operands.length > MAX_OPERANDS) {
    throw new AuthError("invalid_search_query", {
      message: `A query may have at most ${MAX_OPERANDS} operands.`,
    });
  }
  return { operator, filters: operands.map(parseOperand), limit, after };
}

function parseOperand(operand: Record<string, unknown>): OrganizationFilter {
  const name = operand.filter_name;
  const value = operand.filter_value;
  if (typeof name !== "string") {
    throw new AuthError("invalid_search_query", { message: "Every operand needs a filter_name." });
  }
  if (Object.hasOwn(LIST_FILTERS, name)) {
    const listName = name as ListFilterName;
    if (
      !Array.isArray(value) ||
      value.length === 0 ||
      value.length > MAX_FILTER_VALUES ||
      !value.every((v) => typeof v === "string")
    ) {
      throw new AuthError("invalid_search_query", {
        message: `The filter_value of ${name} must be an array of 1 to ${MAX_FILTER_VALUES} strings.`,
      });
    }
    return { name: listName, values: [...new Set(value.map(LIST_FILTERS[listName]))] };
  }
  if (FUZZY_FILTERS.has(name)) {
    if (typeof value !== "string" || value.length > MAX_FUZZY_LENGTH) {
      throw new AuthError("invalid_search_query", {
        message: `The filter_value of ${name} must be a string of at most ${MAX_FUZZY_LENGTH} characters.`,
      });
    }
    const fuzzy = value.trim().toLowerCase();
    if ([...fuzzy].length < MIN_FUZZY_LENGTH) throw new AuthError("organization_search_fuzzy_too_short");
    return { name: name as FuzzyFilterName, value: fuzzy };
  }
  if (name === "has_active_sso_connection") {
    if (typeof value !== "boolean") {
      throw new AuthError("invalid_search_query", {
        message: "The filter_value of has_active_sso_connection must be a boolean.",
      });
    }
    return { name, flag: value };
  }
  if (name === "sso_connection_id") {
    if (typeof value !== "string" || value === "") {
      throw new AuthError("invalid_search_query", {
        message: "The filter_value of sso_connection_id must be a non-empty string.",
      });
    }
    return { name, value };
  }
  throw new AuthError("invalid_search_query", {
    message: `Unknown organization search filter_name "${name.slice(0, 64)}".`,
  });
}

/**
 * The cursor is opaque to clients: base64url of the last returned organization's position. It carries nothing
 * secret (both values are in the response it came from), and a forged one can only move the page start
 * within the caller's own project, so it is not signed.
 */
export function encodeCursor(position: SearchPosition): string {
  return Buffer.from(JSON.stringify([position.created_at, position.organization_id])).toString("base64url");
}

export function decodeCursor(cursor: string): SearchPosition {
  let parsed: unknown;
  try {
    if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error("not base64url");
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new AuthError("invalid_cursor");
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    !Number.isSafeInteger(parsed[0]) ||
    typeof parsed[1] !== "string"
  ) {
    throw new AuthError("invalid_cursor");
  }
  return { created_at: parsed[0] as number, organization_id: parsed[1] as string };
}
