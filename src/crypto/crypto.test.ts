import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { isIdOf, newId } from "./ids.js";
import {
  constantTimeEqual,
  newEmailToken,
  newSecret,
  newSessionToken,
  pkceChallengeOf,
  sha256Hex,
} from "./random.js";
import { ServerKey } from "./server-key.js";
import { deriveSessionToken, newTokenSalt, sessionTokenHash } from "./session-token.js";

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("random tokens", () => {
  it("newSessionToken is 44 base64url characters, unique over 1000", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const token = newSessionToken();
      assert.equal(token.length, 44);
      assert.match(token, BASE64URL);
      seen.add(token);
    }
    assert.equal(seen.size, 1000);
  });

  it("newEmailToken is 44 characters ending in one '=', unique over 1000", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const token = newEmailToken();
      assert.equal(token.length, 44);
      assert.match(token, /^[A-Za-z0-9_-]{43}=$/);
      assert.equal(Buffer.from(token.slice(0, 43), "base64url").length, 32);
      seen.add(token);
    }
    assert.equal(seen.size, 1000);
  });

  it("newSecret carries the environment and 48 base64url characters", () => {
    assert.match(newSecret("test"), /^secret-test-[A-Za-z0-9_-]{48}$/);
    assert.match(newSecret("live"), /^secret-live-[A-Za-z0-9_-]{48}$/);
    assert.notEqual(newSecret("test"), newSecret("test"));
  });
});

describe("digests", () => {
  it("sha256Hex is the lower-case hex SHA-256 of the UTF-8 string", () => {
    assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(sha256Hex("é"), createHash("sha256").update(Buffer.from("é", "utf8")).digest("hex"));
  });

  it("constantTimeEqual compares values and never throws on different lengths", () => {
    assert.equal(constantTimeEqual("abc", "abc"), true);
    assert.equal(constantTimeEqual("abc", "abd"), false);
    assert.doesNotThrow(() => constantTimeEqual("a", "a much longer string"));
    assert.equal(constantTimeEqual("a", "a much longer string"), false);
    assert.equal(constantTimeEqual("", ""), true);
    assert.equal(constantTimeEqual("", "x"), false);
  });

  it("pkceChallengeOf is RFC 7636 S256 (appendix B vector)", () => {
    assert.equal(
      pkceChallengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });
});

describe("ServerKey", () => {
  it("seal then open round-trips, with a fresh nonce each time", () => {
    const key = ServerKey.random();
    const plaintext = JSON.stringify({ d: "private", note: "ünïcödé ✓" });
    const a = key.seal(plaintext);
    const b = key.seal(plaintext);
    assert.match(a, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.notEqual(a, b);
    assert.ok(!a.includes("private"));
    assert.equal(key.open(a), plaintext);
    assert.equal(key.open(b), plaintext);
  });

  it("open throws on tampered ciphertext, tag or nonce", () => {
    const key = ServerKey.random();
    const sealed = key.seal("the private key material");
    const [version, iv, tag, ct] = sealed.split(".") as [string, string, string, string];
    const flip = (part: string): string => {
      const bytes = Buffer.from(part, "base64url");
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString("base64url");
    };
    assert.throws(() => key.open([version, iv, tag, flip(ct)].join(".")));
    assert.throws(() => key.open([version, iv, flip(tag), ct].join(".")));
    assert.throws(() => key.open([version, flip(iv), tag, ct].join(".")));
    assert.throws(() => key.open(["v2", iv, tag, ct].join(".")), /unknown format/);
    assert.throws(() => key.open("garbage"), /unknown format/);
  });

  it("a different key cannot open", () => {
    const sealed = ServerKey.random().seal("secret");
    assert.throws(() => ServerKey.random().open(sealed));
  });

  it("parse accepts 64 hex and 43 base64url characters, each meaning the same 32 bytes", () => {
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));
    const fromHex = ServerKey.parse(bytes.toString("hex"));
    const fromUpperHex = ServerKey.parse(bytes.toString("hex").toUpperCase());
    const fromB64 = ServerKey.parse(bytes.toString("base64url"));
    const fromPadded = ServerKey.parse(`  ${bytes.toString("base64url")}=\n`);
    assert.equal(bytes.toString("base64url").length, 43);
    for (const key of [fromHex, fromUpperHex, fromB64, fromPadded]) {
      assert.equal(key.export(), bytes.toString("base64url"));
    }
    // Same bytes, same key: what one seals the other opens.
    assert.equal(fromB64.open(fromHex.seal("x")), "x");
  });

  it("parse rejects anything that is not 32 bytes", () => {
    const b64 = ServerKey.random().export();
    for (const text of [
      "",
      "short",
      "a".repeat(63),
      "a".repeat(65),
      "a".repeat(128),
      b64.slice(0, 42),
      `${b64}AA`,
      Buffer.alloc(16).toString("hex"),
      Buffer.alloc(31).toString("base64url"),
      Buffer.alloc(33).toString("base64url"),
    ]) {
      assert.throws(() => ServerKey.parse(text), /32 bytes/, JSON.stringify(text));
    }
  });

  it("fromBytes requires exactly 32 bytes and export round-trips", () => {
    assert.throws(() => ServerKey.fromBytes(Buffer.alloc(31)), /32 bytes/);
    const key = ServerKey.fromBytes(Buffer.alloc(32, 9));
    assert.equal(ServerKey.parse(key.export()).export(), key.export());
  });
});

describe("deriveSessionToken", () => {
  const key = ServerKey.fromBytes(Buffer.alloc(32, 1));
  const sessionId = "member-session-test-00000000-0000-4000-8000-000000000000";

  it("is deterministic for the same key, session and salt, 44 base64url characters", () => {
    const salt = newTokenSalt();
    const a = deriveSessionToken(key, sessionId, salt);
    const b = deriveSessionToken(ServerKey.fromBytes(Buffer.alloc(32, 1)), sessionId, salt);
    assert.equal(a, b);
    assert.equal(a.length, 44);
    assert.match(a, BASE64URL);
    assert.equal(sessionTokenHash(a), sha256Hex(a));
  });

  it("differs with the salt, the session or the key", () => {
    const salt = newTokenSalt();
    const base = deriveSessionToken(key, sessionId, salt);
    assert.notEqual(deriveSessionToken(key, sessionId, newTokenSalt()), base);
    assert.notEqual(deriveSessionToken(key, sessionId.replace(/0$/, "1"), salt), base);
    assert.notEqual(deriveSessionToken(ServerKey.fromBytes(Buffer.alloc(32, 2)), sessionId, salt), base);
  });

  it("keeps parts apart: moving a boundary changes the token", () => {
    assert.notEqual(deriveSessionToken(key, "ab", "c"), deriveSessionToken(key, "a", "bc"));
  });

  it("newTokenSalt is 16 random bytes of base64url", () => {
    const salt = newTokenSalt();
    assert.equal(salt.length, 22);
    assert.equal(Buffer.from(salt, "base64url").length, 16);
    assert.notEqual(newTokenSalt(), salt);
  });
});

describe("ids", () => {
  it("newId has the shape <kind>-<environment>-<uuid v4>", () => {
    const id = newId("member", "test");
    assert.match(id, /^member-test-/);
    assert.match(id.slice("member-test-".length), UUID);
    assert.match(newId("organization", "live"), /^organization-live-/);
    assert.match(newId("member-session", "test"), /^member-session-test-/);
    assert.notEqual(newId("member", "test"), newId("member", "test"));
  });

  it("isIdOf accepts its own kind in either environment", () => {
    assert.equal(isIdOf("member", newId("member", "test")), true);
    assert.equal(isIdOf("member", newId("member", "live")), true);
    assert.equal(isIdOf("jwk", newId("jwk", "test")), true);
  });

  it("isIdOf rejects other kinds, environments and malformed values", () => {
    const uuid = "5f0c1c1e-8f4a-4b6a-9c2d-0123456789ab";
    assert.equal(isIdOf("member", `member-test-${uuid}`), true);
    assert.equal(isIdOf("member", newId("member-password", "test")), false);
    assert.equal(isIdOf("member", newId("organization", "test")), false);
    assert.equal(isIdOf("organization", `organization-prod-${uuid}`), false);
    assert.equal(isIdOf("member", `member-test-${uuid.toUpperCase()}`), false);
    assert.equal(isIdOf("member", `member-test-${uuid}x`), false);
    assert.equal(isIdOf("member", ` member-test-${uuid}`), false);
    assert.equal(isIdOf("member", `member-test-${uuid}\n`), false);
    assert.equal(isIdOf("member", "member-test-"), false);
  });
});
