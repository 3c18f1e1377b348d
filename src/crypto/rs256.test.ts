import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { compactVerify, decodeJwt } from "jose";
import {
  SameSecondSignatures,
  signingInput,
  signRs256,
  signRs256OffThread,
  VerifiedSignatures,
  verifyRs256,
} from "./rs256.js";

describe("RS256 compact JWS", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const header = { alg: "RS256", typ: "JWT", kid: "jwk-test-1" };
  const payload = { sub: "member-test-1", iat: 1_700_000_000, custom: "é ✓" };

  it("signs what jose verifies, with the header and payload as given", async () => {
    const jws = signRs256(signingInput(header, payload), privateKey);
    const verified = await compactVerify(jws, publicKey, { algorithms: ["RS256"] });
    assert.deepEqual(verified.protectedHeader, header);
    assert.deepEqual(decodeJwt(jws), payload);
  });

  it("is deterministic: the same key over the same bytes gives the same JWS", () => {
    const input = signingInput(header, payload);
    assert.equal(signRs256(input, privateKey), signRs256(input, privateKey));
  });

  it("verifies only the key's own, untampered signatures of the right length", () => {
    const jws = signRs256(signingInput(header, payload), privateKey);
    assert.equal(verifyRs256(jws, publicKey), true);
    assert.equal(verifyRs256(jws, other.publicKey), false);
    const [h, p, s] = jws.split(".") as [string, string, string];
    const altered = signingInput(header, { ...payload, sub: "member-test-2" }).split(".")[1];
    assert.equal(verifyRs256(`${h}.${altered}.${s}`, publicKey), false);
    assert.equal(verifyRs256(`${h}.${p}.${s.slice(0, -4)}`, publicKey), false, "short signature");
    assert.equal(verifyRs256(`${h}.${p}.${s}AAAA`, publicKey), false, "long signature");
    assert.equal(verifyRs256(`${h}.${p}.`, publicKey), false, "no signature");
  });

  it("remembers a second's JWTs: the same string as a fresh signature, per key, input and thread", async () => {
    const memo = new SameSecondSignatures();
    const input = signingInput(header, payload);
    const fresh = signRs256(input, privateKey);
    assert.equal(await memo.sign(input, privateKey, 1), fresh);
    assert.equal(await memo.sign(input, privateKey, 1, true), fresh);
    // Another key over the same bytes is another signature, never the remembered one.
    assert.equal(await memo.sign(input, other.privateKey, 1), signRs256(input, other.privateKey));
    assert.notEqual(await memo.sign(input, other.privateKey, 1), fresh);
    const next = signingInput(header, { ...payload, iat: payload.iat + 1 });
    assert.equal(
      await memo.sign(next, privateKey, 2, true),
      signRs256(next, privateKey),
      "off the event loop",
    );
    assert.equal(
      await memo.sign(input, privateKey, 2),
      fresh,
      "a new second starts over and still signs right",
    );
  });

  it("signs the same bytes on the thread pool as in line, and concurrent asks share one signature", async () => {
    const input = signingInput(header, payload);
    assert.equal(await signRs256OffThread(input, privateKey), signRs256(input, privateKey));
    const memo = new SameSecondSignatures();
    const [a, b] = [memo.sign(input, privateKey, 7, true), memo.sign(input, privateKey, 7, true)];
    assert.equal(a, b, "the second ask gets the first one's promise");
    assert.equal(await a, signRs256(input, privateKey));
  });

  it("remembers only what verified, and only for the key that verified it", () => {
    const memo = new VerifiedSignatures();
    const jws = signRs256(signingInput(header, payload), privateKey);
    const [h, p] = jws.split(".") as [string, string];
    const forged = `${h}.${p}.${signRs256(signingInput(header, payload), other.privateKey).split(".")[2]}`;
    assert.equal(memo.verify(forged, publicKey), false);
    assert.equal(memo.verify(forged, publicKey), false, "a refused string is never remembered as good");
    assert.equal(memo.verify(jws, publicKey), true);
    assert.equal(memo.verify(jws, publicKey), true);
    assert.equal(memo.verify(jws, other.publicKey), false, "verified under one key says nothing of another");
  });
});
