import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AuthError } from "../errors/auth-error.js";
import { decodeCursor, encodeCursor, parseSearch } from "./organization-search.js";

function refuses(fn: () => unknown, type: string): void {
  assert.throws(fn, (error: unknown) => error instanceof AuthError && error.type === type);
}

describe("parseSearch", () => {
  it("defaults and clamps the limit", () => {
    assert.equal(parseSearch({}).limit, 100);
    assert.equal(parseSearch({ limit: 0 }).limit, 100);
    assert.equal(parseSearch({ limit: 5 }).limit, 5);
    assert.equal(parseSearch({ limit: 5000 }).limit, 1000);
  });

  it("normalises values per filter and accepts the operator in any case", () => {
    const search = parseSearch({
      query: {
        operator: "or",
        operands: [
          { filter_name: "organization_slugs", filter_value: ["Acme", "acme"] },
          { filter_name: "member_emails", filter_value: [" Ann@X.com "] },
          { filter_name: "allowed_domains", filter_value: ["X.COM."] },
          { filter_name: "organization_name_fuzzy", filter_value: "WIDG" },
        ],
      },
    });
    assert.equal(search.operator, "OR");
    assert.deepEqual(search.filters, [
      { name: "organization_slugs", values: ["acme"] },
      { name: "member_emails", values: ["ann@x.com"] },
      { name: "allowed_domains", values: ["x.com"] },
      { name: "organization_name_fuzzy", value: "widg" },
    ]);
  });

  it("refuses short fuzzy values, unknown filters, wrong value types and too many operands", () => {
    const one = (operand: Record<string, unknown>) => () =>
      parseSearch({ query: { operator: "AND", operands: [operand] } });
    refuses(
      one({ filter_name: "allowed_domain_fuzzy", filter_value: "ab" }),
      "organization_search_fuzzy_too_short",
    );
    refuses(one({ filter_name: "member_ids", filter_value: ["m"] }), "invalid_search_query");
    refuses(one({ filter_name: "__proto__", filter_value: ["m"] }), "invalid_search_query");
    refuses(one({ filter_name: "organization_ids", filter_value: "m" }), "invalid_search_query");
    refuses(
      one({ filter_name: "organization_ids", filter_value: Array(1001).fill("m") }),
      "invalid_search_query",
    );
    refuses(
      () =>
        parseSearch({
          query: {
            operator: "AND",
            operands: Array(21).fill({ filter_name: "organization_ids", filter_value: ["m"] }),
          },
        }),
      "invalid_search_query",
    );
  });
});

describe("cursors", () => {
  it("round-trip and reject anything else", () => {
    const position = { created_at: 1_700_000_000_123, organization_id: "organization-test-1" };
    assert.deepEqual(decodeCursor(encodeCursor(position)), position);
    for (const bad of [
      "",
      "!!",
      "a".repeat(600),
      Buffer.from("[1]").toString("base64url"),
      Buffer.from('["1","x"]').toString("base64url"),
    ]) {
      refuses(() => decodeCursor(bad), "invalid_cursor");
    }
  });
});
