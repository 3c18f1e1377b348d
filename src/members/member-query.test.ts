import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeCursor, encodeCursor, parseMemberQuery, searchLimit } from "./member-query.js";

describe("parseMemberQuery", () => {
  it("reads an absent query as no filter that hides deleted members", () => {
    assert.deepEqual(parseMemberQuery(undefined), { operator: "AND", filters: [], includeDeleted: false });
  });

  it("accepts the operator in any case and normalises email filters", () => {
    const q = parseMemberQuery({
      operator: "or",
      operands: [
        { filter_name: "member_emails", filter_value: [" Ada@X.com "] },
        { filter_name: "statuses", filter_value: ["Deleted"] },
      ],
    });
    assert.equal(q.operator, "OR");
    assert.deepEqual(q.filters[0], { kind: "member_emails", values: ["ada@x.com"] });
    assert.equal(q.includeDeleted, true);
  });

  it("refuses unknown filters, wrong value types, short fuzzy needles and too many operands", () => {
    const bad: [unknown, string][] = [
      [{ filter_name: "nope", filter_value: [] }, "invalid_search_query"],
      [{ filter_name: "member_ids", filter_value: [1] }, "invalid_search_query"],
      [{ filter_name: "member_ids", filter_value: Array(1001).fill("m") }, "invalid_search_query"],
      [{ filter_name: "member_password_exists", filter_value: 1 }, "invalid_search_query"],
      [{ filter_name: "member_email_fuzzy", filter_value: " ab " }, "member_search_fuzzy_too_short"],
    ];
    for (const [operand, type] of bad) {
      assert.throws(
        () => parseMemberQuery({ operator: "AND", operands: [operand as Record<string, unknown>] }),
        { type },
        JSON.stringify(operand).slice(0, 80),
      );
    }
    const many = Array(51).fill({ filter_name: "member_is_breakglass", filter_value: true });
    assert.throws(() => parseMemberQuery({ operator: "AND", operands: many }), {
      type: "invalid_search_query",
    });
  });
});

describe("search cursors and limits", () => {
  it("round-trips a cursor and refuses tampered ones", () => {
    const cursor = { created_at: 1_700_000_000_123, member_id: "member-test-1" };
    assert.deepEqual(decodeCursor(encodeCursor(cursor)), cursor);
    assert.equal(decodeCursor(undefined), null);
    assert.equal(decodeCursor(""), null);
    for (const bad of ["!!", "e30", Buffer.from('[1.5,"m"]').toString("base64url"), "A".repeat(600)]) {
      assert.throws(() => decodeCursor(bad), { type: "invalid_cursor" }, bad.slice(0, 20));
    }
  });

  it("defaults the limit to 100 and bounds it at 1000", () => {
    assert.equal(searchLimit(undefined), 100);
    assert.equal(searchLimit(0), 100);
    assert.equal(searchLimit(1000), 1000);
    assert.throws(() => searchLimit(1001), { type: "invalid_request_value" });
  });
});
