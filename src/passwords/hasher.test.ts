import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Algorithm, hash as argon2Hash } from "@node-rs/argon2";
import { ARGON2ID_PARAMS, createArgon2idHasher, normalizePassword } from "./hasher.js";

// Algorithm is an ambient const enum (unreadable under isolated modules): 2 is Argon2id, as in hasher.ts.
const ARGON2ID = 2 as Algorithm;
const PHC_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$";

describe("createArgon2idHasher", () => {
  const hasher = createArgon2idHasher();

  it("produces argon2id PHC strings at OWASP's parameters", async () => {
    const hashed = await hasher.hash("correct horse battery staple");
    assert.ok(hashed.startsWith(PHC_PREFIX), hashed);
    assert.deepEqual(ARGON2ID_PARAMS, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
    assert.ok(!hashed.includes("correct horse"));
  });

  it("salts: two hashes of one password differ, and both verify", async () => {
    const a = await hasher.hash("same password");
    const b = await hasher.hash("same password");
    assert.notEqual(a, b);
    assert.equal(await hasher.verify(a, "same password"), true);
    assert.equal(await hasher.verify(b, "same password"), true);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const hashed = await hasher.hash("s3cret-Passphrase");
    assert.equal(await hasher.verify(hashed, "s3cret-Passphrase"), true);
    assert.equal(await hasher.verify(hashed, "s3cret-Passphrasf"), false);
    assert.equal(await hasher.verify(hashed, "s3cret-Passphrase "), false);
    assert.equal(await hasher.verify(hashed, ""), false);
  });

  it("verifies the full input: a 100-character password's prefix does not verify", async () => {
    const password = "p".repeat(60) + "Q".repeat(40);
    const hashed = await hasher.hash(password);
    assert.equal(await hasher.verify(hashed, password), true);
    assert.equal(await hasher.verify(hashed, password.slice(0, 72)), false);
    assert.equal(await hasher.verify(hashed, `${password.slice(0, 99)}x`), false);
  });

  it("normalises to NFKC: precomposed and decomposed é verify the same", async () => {
    const precomposed = "caf\u00e9-passw0rd";
    const decomposed = "cafe\u0301-passw0rd";
    assert.notEqual(precomposed, decomposed);
    assert.equal(normalizePassword(decomposed), precomposed);

    const fromPrecomposed = await hasher.hash(precomposed);
    assert.equal(await hasher.verify(fromPrecomposed, decomposed), true);
    const fromDecomposed = await hasher.hash(decomposed);
    assert.equal(await hasher.verify(fromDecomposed, precomposed), true);
  });

  it("does not fold case", async () => {
    const hashed = await hasher.hash("MixedCase-Password");
    assert.equal(await hasher.verify(hashed, "mixedcase-password"), false);
    assert.equal(await hasher.verify(hashed, "MIXEDCASE-PASSWORD"), false);
    assert.equal(normalizePassword("ABC"), "ABC");
  });

  it("needsRehash is false for a fresh hash and true for other parameters", async () => {
    assert.equal(hasher.needsRehash(await hasher.hash("pw-for-rehash")), false);
    const weaker = await argon2Hash("pw-for-rehash", {
      algorithm: ARGON2ID,
      memoryCost: 4096,
      timeCost: 2,
      parallelism: 1,
    });
    assert.ok(weaker.startsWith("$argon2id$v=19$m=4096,t=2,p=1$"), weaker);
    assert.equal(hasher.needsRehash(weaker), true);
    // The old hash still verifies, so it can be upgraded at the next login.
    assert.equal(await hasher.verify(weaker, "pw-for-rehash"), true);
    assert.equal(hasher.needsRehash("$2b$10$abcdefghijklmnopqrstuv"), true);
  });

  it("counts the hashes running or waiting, so other work knows when the pool is free", async () => {
    const one = createArgon2idHasher({ concurrency: 1 });
    assert.equal(one.inFlight(), 0);
    const both = Promise.all([one.hash("first password"), one.hash("second password")]);
    assert.equal(one.inFlight(), 2, "one running, one waiting its turn");
    await both;
    assert.equal(one.inFlight(), 0);
  });

  it("returns false (never throws) for a garbage or empty hash", async () => {
    for (const garbage of ["", "not-a-hash", "$argon2id$v=19$m=19456,t=2,p=1$", "$argon2id$garbage$$$"]) {
      assert.equal(await hasher.verify(garbage, "anything"), false, garbage);
    }
  });
});
