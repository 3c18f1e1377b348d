import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AuthError } from "../errors/auth-error.js";
import type { ErrorType } from "../errors/codes.js";
import {
  assertSessionDuration,
  factorTimes,
  MAX_SESSION_MINUTES,
  MIN_SESSION_MINUTES,
  mergeCustomClaims,
} from "./session.js";

function throwsAuthError(fn: () => unknown, type: ErrorType): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AuthError, `expected AuthError, got ${String(error)}`);
    assert.equal(error.type, type);
    return true;
  });
}

describe("assertSessionDuration", () => {
  it("accepts the bounds 5 and 527040, and an omitted duration", () => {
    assert.equal(MIN_SESSION_MINUTES, 5);
    assert.equal(MAX_SESSION_MINUTES, 527_040);
    assert.doesNotThrow(() => assertSessionDuration(5));
    assert.doesNotThrow(() => assertSessionDuration(60));
    assert.doesNotThrow(() => assertSessionDuration(527_040));
    assert.doesNotThrow(() => assertSessionDuration(undefined));
  });

  for (const minutes of [4, 527_041, 5.5, 0, -60, Number.NaN, Number.POSITIVE_INFINITY]) {
    it(`rejects ${minutes} with invalid_session_duration_minutes`, () => {
      throwsAuthError(() => assertSessionDuration(minutes), "invalid_session_duration_minutes");
    });
  }
});

describe("mergeCustomClaims", () => {
  it("adds and replaces keys without mutating the current claims", () => {
    const current = { a: 1, b: "two" };
    const next = mergeCustomClaims(current, { b: "three", c: { nested: true } });
    assert.deepEqual(next, { a: 1, b: "three", c: { nested: true } });
    assert.deepEqual(current, { a: 1, b: "two" });
  });

  it("deletes a key whose value is null", () => {
    assert.deepEqual(mergeCustomClaims({ a: 1, b: 2 }, { a: null }), { b: 2 });
    assert.deepEqual(mergeCustomClaims({ a: 1 }, { missing: null }), { a: 1 });
  });

  it("returns the current claims when there is no update", () => {
    const current = { a: 1 };
    assert.equal(mergeCustomClaims(current, undefined), current);
  });

  for (const name of ["sub", "exp", "iss", "aud", "nbf", "iat", "jti"]) {
    it(`ignores the reserved claim ${name}`, () => {
      assert.deepEqual(mergeCustomClaims({ a: 1 }, { [name]: "x", b: 2 }), { a: 1, b: 2 });
      assert.deepEqual(mergeCustomClaims({ a: 1 }, { [name]: null }), { a: 1 });
    });
  }

  it("ignores the stytch.com namespace", () => {
    assert.deepEqual(
      mergeCustomClaims({}, { "https://stytch.com/x": 1, "https://stytch.com/session": {} }),
      {},
    );
  });

  it("refuses claims over 4 KB once merged, and accepts them just under", () => {
    // {"k":"…"} is 8 bytes of JSON around the value.
    assert.doesNotThrow(() => mergeCustomClaims({}, { k: "x".repeat(4096 - 8) }));
    throwsAuthError(() => mergeCustomClaims({}, { k: "x".repeat(4096 - 7) }), "custom_claims_too_large");
    throwsAuthError(() => mergeCustomClaims({}, { big: "x".repeat(5000) }), "custom_claims_too_large");
    // The bound is on the merged result, so it is counted in bytes, not characters.
    throwsAuthError(
      () => mergeCustomClaims({ a: "é".repeat(1500) }, { b: "é".repeat(600) }),
      "custom_claims_too_large",
    );
  });
});

describe("factorTimes", () => {
  it("stamps all three times with the same RFC 3339 second", () => {
    const at = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
    assert.deepEqual(factorTimes(at), {
      last_authenticated_at: "2024-01-02T03:04:05Z",
      created_at: "2024-01-02T03:04:05Z",
      updated_at: "2024-01-02T03:04:05Z",
    });
  });
});
