import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AuthError } from "../errors/auth-error.js";
import {
  assertValidMemberExternalId,
  DEFAULT_ROLE,
  effectiveRoles,
  explicitRoles,
  isLocked,
  mergeMetadata,
  normalizeEmail,
} from "./member.js";

function throwsInvalidEmail(raw: string): void {
  assert.throws(
    () => normalizeEmail(raw),
    (error: unknown) => {
      assert.ok(error instanceof AuthError, `expected AuthError, got ${String(error)}`);
      assert.equal(error.type, "invalid_email");
      return true;
    },
    JSON.stringify(raw),
  );
}

describe("normalizeEmail", () => {
  it("trims and lower-cases", () => {
    assert.equal(normalizeEmail("  Alice.Smith+Tag@Example.COM \t"), "alice.smith+tag@example.com");
    assert.equal(normalizeEmail("bob@sub.example.co.uk"), "bob@sub.example.co.uk");
  });

  for (const raw of [
    "a@b",
    "no-at",
    "a\r\nb@x.com",
    "a@x.com\r\nBcc: victim@y.com",
    "a b@x.com",
    "a\tb@x.com",
    "a\u0000b@x.com",
    "a@@x.com",
    "@x.com",
    "a@",
    "a@x..com",
    "a@-x.com",
    "",
    "   ",
  ]) {
    it(`rejects ${JSON.stringify(raw)}`, () => throwsInvalidEmail(raw));
  }

  it("rejects addresses over 254 characters and accepts one of exactly 254", () => {
    const domain189 = `${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.com`;
    const exactly = `${"a".repeat(64)}@${domain189}`;
    assert.equal(exactly.length, 254);
    assert.equal(normalizeEmail(exactly), exactly);
    const over = `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(60)}.com`;
    assert.equal(over.length, 257);
    throwsInvalidEmail(over);
  });

  it("rejects a local part over 64 characters", () => {
    throwsInvalidEmail(`${"a".repeat(65)}@example.com`);
  });
});

describe("effectiveRoles", () => {
  it("puts stytch_member first exactly once", () => {
    assert.equal(DEFAULT_ROLE, "stytch_member");
    assert.deepEqual(effectiveRoles({ roles: [] }), ["stytch_member"]);
    assert.deepEqual(effectiveRoles({ roles: ["stytch_admin", "editor"] }), [
      "stytch_member",
      "stytch_admin",
      "editor",
    ]);
    assert.deepEqual(effectiveRoles({ roles: ["editor", "stytch_member"] }), ["stytch_member", "editor"]);
    assert.deepEqual(effectiveRoles({ roles: ["stytch_member", "stytch_member"] }), ["stytch_member"]);
  });
});

describe("isLocked", () => {
  it("is locked only while lock_expires_at is in the future", () => {
    assert.equal(isLocked({ lock_expires_at: null }, 1000), false);
    assert.equal(isLocked({ lock_expires_at: 1001 }, 1000), true);
    assert.equal(isLocked({ lock_expires_at: 1000 }, 1000), false);
  });
});

describe("explicitRoles", () => {
  it("keeps the built-in roles, deduplicated, without the implicit stytch_member", () => {
    assert.deepEqual(explicitRoles([]), []);
    assert.deepEqual(explicitRoles(["stytch_member", "stytch_admin", "stytch_admin"]), ["stytch_admin"]);
  });

  it("refuses any other role id", () => {
    for (const role of ["editor", "STYTCH_ADMIN", ""]) {
      assert.throws(() => explicitRoles([role]), { type: "invalid_role" }, role);
    }
  });
});

describe("assertValidMemberExternalId", () => {
  it("accepts 1 to 128 of [A-Za-z0-9._|-] and nothing else", () => {
    for (const ok of ["a", "A.b_c|d-9", "x".repeat(128)]) assertValidMemberExternalId(ok);
    for (const bad of ["", "x".repeat(129), "a b", "a/b", "é", "a\n"]) {
      assert.throws(() => assertValidMemberExternalId(bad), { type: "invalid_member_external_id" }, bad);
    }
  });
});

describe("mergeMetadata", () => {
  it("merges at the top level, deletes null keys and replaces nested values whole", () => {
    assert.deepEqual(
      mergeMetadata("trusted_metadata", { a: 1, b: { x: 1 }, c: [1] }, { b: { y: 2 }, c: null, d: "new" }),
      { a: 1, b: { y: 2 }, d: "new" },
    );
  });

  it("keeps __proto__ as an ordinary key", () => {
    const merged = mergeMetadata("untrusted_metadata", {}, JSON.parse('{"__proto__": {"polluted": true}}'));
    assert.equal(Object.getPrototypeOf(merged), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("refuses more than 20 keys or more than 4 KB", () => {
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i]));
    assert.throws(() => mergeMetadata("trusted_metadata", {}, many), { type: "invalid_request_value" });
    assert.throws(() => mergeMetadata("trusted_metadata", {}, { big: "x".repeat(4096) }), {
      type: "invalid_request_value",
    });
    assert.equal(Object.keys(mergeMetadata("trusted_metadata", many, { k0: null })).length, 20);
  });
});
