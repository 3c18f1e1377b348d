import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { createArgon2idHasher } from "./hasher.js";
import {
  decodeBase64,
  decodeImportedHash,
  encodeImportedHash,
  IMPORTED_PREFIX,
  isImportedHash,
  parseImportedHash,
} from "./imported-hashes.js";
import { verifyImportedHash } from "./imported-verify.js";

describe("imported hashes", () => {
  it("round-trips through the stored form", () => {
    const parsed = parseImportedHash({
      hash_type: "md_5",
      hash: createHash("md5").update("a-password").digest("hex").toUpperCase(),
      md_5_config: { prepend_salt: "p", append_salt: "" },
    });
    const stored = encodeImportedHash(parsed);
    assert.ok(stored.startsWith(`${IMPORTED_PREFIX}md_5$`));
    assert.ok(isImportedHash(stored));
    assert.deepEqual(decodeImportedHash(stored), parsed);
    assert.equal(decodeImportedHash("$argon2id$v=19$m=1,t=1,p=1$x$y"), null);
    assert.equal(decodeImportedHash(`${IMPORTED_PREFIX}md_5$not-json`), null);
  });

  it("verifies over the raw password, and a corrupt stored value verifies nothing", async () => {
    const stored = encodeImportedHash(
      parseImportedHash({
        hash_type: "md_5",
        hash: createHash("md5").update("pa-password").digest("hex"),
        md_5_config: { prepend_salt: "p" },
      }),
    );
    assert.equal(await verifyImportedHash(stored, "a-password"), true);
    assert.equal(await verifyImportedHash(stored, "a-passwordx"), false);
    assert.equal(await verifyImportedHash(`${IMPORTED_PREFIX}md_5$e30`, "a-password"), false);
    assert.equal(await verifyImportedHash(`${IMPORTED_PREFIX}rot13$e30`, "a-password"), false);
  });

  it("is verified by the production hasher, which always asks for a rehash", async () => {
    const hasher = createArgon2idHasher();
    const stored = encodeImportedHash(
      parseImportedHash({ hash_type: "sha_1", hash: createHash("sha1").update("legacy").digest("hex") }),
    );
    assert.equal(await hasher.verify(stored, "legacy"), true);
    assert.equal(await hasher.verify(stored, "Legacy"), false);
    assert.equal(hasher.needsRehash(stored), true);
  });

  it("decodes standard and URL-safe base64, and rejects anything else", () => {
    assert.deepEqual(decodeBase64("+/8="), Buffer.from([0xfb, 0xff]));
    assert.deepEqual(decodeBase64("-_8"), Buffer.from([0xfb, 0xff]));
    for (const bad of ["", "***", "a b", "=="]) assert.equal(decodeBase64(bad), null, bad);
  });

  it("refuses a scrypt N that is not a power of two, and missing configs", () => {
    const hash = Buffer.alloc(32, 1).toString("base64");
    const salt = Buffer.alloc(16, 2).toString("base64");
    assert.throws(
      () =>
        parseImportedHash({
          hash_type: "scrypt",
          hash,
          scrypt_config: { salt, n_parameter: 3000, r_parameter: 8, p_parameter: 1, key_length: 32 },
        }),
      { type: "invalid_hash_config" },
    );
    assert.throws(() => parseImportedHash({ hash_type: "pbkdf_2", hash }), { type: "invalid_hash_config" });
    assert.throws(
      () =>
        parseImportedHash({
          hash_type: "pbkdf_2",
          hash,
          pbkdf_2_config: { salt: "***", iteration_amount: 1000, key_length: 32 },
        }),
      { type: "invalid_hash_config" },
    );
  });
});
