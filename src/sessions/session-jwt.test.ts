import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { before, describe, it } from "node:test";
import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, type JWTPayload, SignJWT } from "jose";
import { MemoryKeysStore } from "../../test/helpers/memory-keys-store.js";
import { ServerKey } from "../crypto/server-key.js";
import { AuthError } from "../errors/auth-error.js";
import { DEFAULT_PROJECT_SETTINGS, type Project } from "../projects/project.js";
import { ManualClock, MINUTE_MS } from "../shared/clock.js";
import type { MemberSession } from "./session.js";
import {
  issuerOf,
  mintSessionJwt,
  ORGANIZATION_CLAIM,
  SESSION_CLAIM,
  verifySessionJwtIgnoringExpiry,
} from "./session-jwt.js";
import { type SigningKeyRecord, SigningKeys } from "./signing-keys.js";

function project(id: string): Project {
  return {
    project_id: id,
    name: id,
    environment: "test",
    public_token: `public-token-test-${id}`,
    settings: DEFAULT_PROJECT_SETTINGS,
    created_at: 0,
  };
}

const PROJECT_A = project("project-test-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
const PROJECT_B = project("project-test-bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb");
const ORG = {
  organization_id: "organization-test-11111111-1111-4111-8111-111111111111",
  organization_slug: "acme",
};
const MEMBER_ID = "member-test-22222222-2222-4222-8222-222222222222";
const SESSION_ID = "member-session-test-33333333-3333-4333-8333-333333333333";

function session(now: number, customClaims: Record<string, unknown> = {}): MemberSession {
  return {
    member_session_id: SESSION_ID,
    project_id: PROJECT_A.project_id,
    organization_id: ORG.organization_id,
    member_id: MEMBER_ID,
    token_salt: "salt",
    started_at: now,
    last_accessed_at: now,
    expires_at: now + 60 * MINUTE_MS,
    authentication_factors: [],
    custom_claims: customClaims,
  };
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

async function rejects(keys: SigningKeys, jwt: string, forProject: Project = PROJECT_A): Promise<void> {
  await assert.rejects(verifySessionJwtIgnoringExpiry(keys, forProject, jwt), (error: unknown) => {
    assert.ok(error instanceof AuthError, `expected AuthError, got ${String(error)}`);
    assert.equal(error.type, "invalid_session_jwt");
    return true;
  });
}

describe("session JWTs", () => {
  const serverKey = ServerKey.random();
  const clock = new ManualClock();
  const store = new MemoryKeysStore();
  const keys = new SigningKeys(store, clock, serverKey);
  let recordA: SigningKeyRecord;
  let recordB: SigningKeyRecord;

  /** Signs arbitrary claims with project A's real private key, for crafted tokens. */
  async function signWithA(
    claims: JWTPayload,
    header: Record<string, unknown> = { alg: "RS256", typ: "JWT", kid: recordA.kid },
  ): Promise<string> {
    const jwk = JSON.parse(serverKey.open(recordA.private_jwk_sealed)) as JWK;
    const privateKey = await importJWK(jwk, "RS256");
    return new SignJWT(claims).setProtectedHeader({ alg: "RS256", ...header }).sign(privateKey);
  }

  function validClaims(): JWTPayload {
    const iat = Math.floor(clock.now() / 1000);
    return {
      sub: MEMBER_ID,
      iss: issuerOf(PROJECT_A.project_id),
      aud: [PROJECT_A.project_id],
      iat,
      nbf: iat,
      exp: iat + 300,
      [SESSION_CLAIM]: { id: SESSION_ID },
    };
  }

  before(async () => {
    recordA = await keys.createKey(PROJECT_A.project_id, "test");
    recordB = await keys.createKey(PROJECT_B.project_id, "test");
  });

  it("mints a JWT that verifies, with Stytch's header and claims", async () => {
    const now = clock.now();
    const jwt = await mintSessionJwt(keys, PROJECT_A, ORG, session(now), ["stytch_member"], now);
    assert.deepEqual(await verifySessionJwtIgnoringExpiry(keys, PROJECT_A, jwt), {
      sessionId: SESSION_ID,
      memberId: MEMBER_ID,
    });
    assert.deepEqual(decodeProtectedHeader(jwt), { alg: "RS256", typ: "JWT", kid: recordA.kid });
    const payload = decodeJwt(jwt);
    assert.equal(payload.sub, MEMBER_ID);
    assert.equal(payload.iss, `stytch.com/${PROJECT_A.project_id}`);
    assert.deepEqual(payload.aud, [PROJECT_A.project_id]);
    assert.equal(payload.iat, Math.floor(now / 1000));
    assert.equal(payload.nbf, payload.iat);
    assert.equal(payload.exp, (payload.iat ?? 0) + 300);
    const sessionClaim = payload[SESSION_CLAIM] as Record<string, unknown>;
    assert.equal(sessionClaim.id, SESSION_ID);
    assert.deepEqual(sessionClaim.roles, ["stytch_member"]);
    assert.deepEqual(payload[ORGANIZATION_CLAIM], { organization_id: ORG.organization_id, slug: "acme" });
  });

  it("puts custom claims at the top level, beneath the registered and stytch.com claims", async () => {
    const now = clock.now();
    const jwt = await mintSessionJwt(
      keys,
      PROJECT_A,
      ORG,
      session(now, { plan: "gold", sub: "evil", iss: "evil", [SESSION_CLAIM]: { id: "evil" } }),
      [],
      now,
    );
    const payload = decodeJwt(jwt);
    assert.equal(payload.plan, "gold");
    assert.equal(payload.sub, MEMBER_ID);
    assert.equal(payload.iss, issuerOf(PROJECT_A.project_id));
    assert.equal((payload[SESSION_CLAIM] as { id: string }).id, SESSION_ID);
  });

  it("still verifies an expired JWT: expiry is the caller's job", async () => {
    const mintedAt = clock.now();
    const jwt = await mintSessionJwt(keys, PROJECT_A, ORG, session(mintedAt), [], mintedAt);
    clock.advance(10 * MINUTE_MS);
    assert.ok((decodeJwt(jwt).exp ?? 0) * 1000 < clock.now(), "the JWT has expired");
    const expiredByWallClock = await mintSessionJwt(
      keys,
      PROJECT_A,
      ORG,
      session(Date.now() - 20 * MINUTE_MS),
      [],
      Date.now() - 20 * MINUTE_MS,
    );
    assert.ok((decodeJwt(expiredByWallClock).exp ?? 0) * 1000 < Date.now());
    for (const token of [jwt, expiredByWallClock]) {
      assert.deepEqual(await verifySessionJwtIgnoringExpiry(keys, PROJECT_A, token), {
        sessionId: SESSION_ID,
        memberId: MEMBER_ID,
      });
    }
  });

  it("accepts a crafted token only when it is exactly right (control for the rejections below)", async () => {
    assert.deepEqual(await verifySessionJwtIgnoringExpiry(keys, PROJECT_A, await signWithA(validClaims())), {
      sessionId: SESSION_ID,
      memberId: MEMBER_ID,
    });
  });

  it("rejects alg none", async () => {
    const header = b64json({ alg: "none", typ: "JWT", kid: recordA.kid });
    const payload = b64json(validClaims());
    await rejects(keys, `${header}.${payload}.`);
    await rejects(keys, `${header}.${payload}.AAAA`);
    const upper = b64json({ alg: "NONE", typ: "JWT", kid: recordA.kid });
    await rejects(keys, `${upper}.${payload}.AAAA`);
  });

  it("rejects HS256 signed with the public key's modulus as the secret", async () => {
    const header = b64json({ alg: "HS256", typ: "JWT", kid: recordA.kid });
    const payload = b64json(validClaims());
    const n = recordA.public_jwk.n;
    assert.ok(n);
    for (const secret of [
      Buffer.from(n),
      Buffer.from(n, "base64url"),
      Buffer.from(JSON.stringify(recordA.public_jwk)),
    ]) {
      const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
      await rejects(keys, `${header}.${payload}.${signature}`);
    }
  });

  it("rejects a correctly signed token without typ, or with another typ", async () => {
    await rejects(keys, await signWithA(validClaims(), { kid: recordA.kid }));
    await rejects(keys, await signWithA(validClaims(), { kid: recordA.kid, typ: "at+jwt" }));
  });

  it("rejects a correctly signed token without a kid or with an unknown kid", async () => {
    await rejects(keys, await signWithA(validClaims(), { typ: "JWT" }));
    await rejects(keys, await signWithA(validClaims(), { typ: "JWT", kid: "jwk-test-unknown" }));
    await rejects(keys, await signWithA(validClaims(), { typ: "JWT", kid: "../../etc/passwd" }));
  });

  it("rejects a JWT of project A presented to project B (B has its own keys)", async () => {
    const now = clock.now();
    const jwt = await mintSessionJwt(keys, PROJECT_A, ORG, session(now), [], now);
    await rejects(keys, jwt, PROJECT_B);
    // And a JWT of B is not accepted by A.
    const jwtB = await mintSessionJwt(keys, PROJECT_B, ORG, session(now), [], now);
    assert.equal(decodeProtectedHeader(jwtB).kid, recordB.kid);
    await rejects(keys, jwtB, PROJECT_A);
  });

  it("rejects a token signed with the right key but naming another audience or issuer", async () => {
    await rejects(keys, await signWithA({ ...validClaims(), aud: [PROJECT_B.project_id] }));
    await rejects(keys, await signWithA({ ...validClaims(), aud: undefined }));
    await rejects(keys, await signWithA({ ...validClaims(), iss: issuerOf(PROJECT_B.project_id) }));
    await rejects(keys, await signWithA({ ...validClaims(), sub: undefined }));
    await rejects(keys, await signWithA({ ...validClaims(), [SESSION_CLAIM]: undefined }));
    await rejects(keys, await signWithA({ ...validClaims(), [SESSION_CLAIM]: { id: 42 } }));
  });

  it("rejects a tampered payload", async () => {
    const jwt = await signWithA(validClaims());
    const [header, , signature] = jwt.split(".");
    const forged = b64json({ ...validClaims(), sub: "member-test-someone-else" });
    await rejects(keys, `${header}.${forged}.${signature}`);
  });

  it("rejects a 10 KB token even when correctly signed", async () => {
    const small = await signWithA({ ...validClaims(), pad: "x".repeat(5000) });
    assert.ok(small.length < 8192);
    assert.equal((await verifySessionJwtIgnoringExpiry(keys, PROJECT_A, small)).sessionId, SESSION_ID);
    const big = await signWithA({ ...validClaims(), pad: "x".repeat(7500) });
    assert.ok(big.length > 10_000, `length ${big.length}`);
    await rejects(keys, big);
  });

  it("rejects malformed compact forms: 4 parts, 2 parts, braces, spaces, empty", async () => {
    const jwt = await mintSessionJwt(keys, PROJECT_A, ORG, session(clock.now()), [], clock.now());
    const [header, payload, signature] = jwt.split(".") as [string, string, string];
    await rejects(keys, `${jwt}.${signature}`);
    await rejects(keys, `${header}.${payload}`);
    await rejects(keys, `${header}.${JSON.stringify(validClaims())}.${signature}`);
    await rejects(keys, `{${header}}.${payload}.${signature}`);
    await rejects(keys, ` ${jwt}`);
    await rejects(keys, `${jwt}\n`);
    await rejects(keys, "");
    await rejects(keys, "..");
    await rejects(keys, "not-a-jwt");
  });

  it("does not re-read the store for every unknown kid", async () => {
    clock.advance(3_000); // past the refresh cooldown, within the cache TTL
    const forged = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        signWithA(validClaims(), { typ: "JWT", kid: `jwk-test-random-${i}` }),
      ),
    );
    const callsBefore = store.listCalls;
    for (const jwt of forged) await rejects(keys, jwt);
    // One refresh on the first miss (another node may have rotated), then the cooldown holds.
    assert.equal(store.listCalls - callsBefore, 1);
  });

  it("publishes a JWKS of RS256 verification keys", async () => {
    const jwks = await keys.jwks(PROJECT_A.project_id);
    assert.equal(jwks.length, 1);
    const [jwk] = jwks;
    assert.ok(jwk);
    assert.equal(jwk.kty, "RSA");
    assert.equal(jwk.use, "sig");
    assert.deepEqual(jwk.key_ops, ["verify"]);
    assert.equal(jwk.alg, "RS256");
    assert.equal(jwk.kid, recordA.kid);
    assert.match(jwk.kid ?? "", /^jwk-test-/);
    assert.equal(jwk.e, "AQAB");
    assert.equal(Buffer.from(jwk.n ?? "", "base64url").length, 256, "2048-bit modulus");
    for (const secret of ["d", "p", "q", "dp", "dq", "qi"]) assert.ok(!(secret in jwk), `no ${secret}`);
    assert.notEqual((await keys.jwks(PROJECT_B.project_id))[0]?.kid, jwk.kid);
  });

  it("seals the private key in the store: no plaintext d anywhere in the record", async () => {
    for (const record of store.records) {
      const plain = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
      assert.ok(!("d" in plain));
      assert.ok(!("d" in (plain.public_jwk as Record<string, unknown>)));
      assert.match(record.private_jwk_sealed, /^v1\./);
      assert.ok(!record.private_jwk_sealed.includes('"d"'));
      assert.throws(() => JSON.parse(record.private_jwk_sealed));
      // The server key opens it, and only the server key.
      const opened = JSON.parse(serverKey.open(record.private_jwk_sealed)) as JWK;
      assert.equal(typeof opened.d, "string");
      assert.equal(opened.n, record.public_jwk.n);
      assert.throws(() => ServerKey.random().open(record.private_jwk_sealed));
    }
  });

  it("signs with a new key after rotation, keeps verifying the old one, and drops it from the JWKS later", async () => {
    const now = clock.now();
    const oldJwt = await mintSessionJwt(keys, PROJECT_A, ORG, session(now), [], now);
    const next = await keys.createKey(PROJECT_A.project_id, "test");
    clock.advance(1);
    store.retire(recordA.kid, clock.now());
    clock.advance(31_000); // past the cache TTL
    const newJwt = await mintSessionJwt(keys, PROJECT_A, ORG, session(clock.now()), [], clock.now());
    assert.equal(decodeProtectedHeader(newJwt).kid, next.kid);
    assert.equal((await verifySessionJwtIgnoringExpiry(keys, PROJECT_A, newJwt)).sessionId, SESSION_ID);
    assert.equal((await verifySessionJwtIgnoringExpiry(keys, PROJECT_A, oldJwt)).sessionId, SESSION_ID);
    // Retired 31 s ago, under a JWT lifetime: both keys are published.
    assert.deepEqual(
      (await keys.jwks(PROJECT_A.project_id)).map((k) => k.kid).sort(),
      [recordA.kid, next.kid].sort(),
    );
    clock.advance(5 * MINUTE_MS);
    assert.deepEqual(
      (await keys.jwks(PROJECT_A.project_id)).map((k) => k.kid),
      [next.kid],
    );
  });
});

describe("key rotation", () => {
  it("publishes the next key before it signs, then retires the old one after every JWT it signed expired", async () => {
    const store = new MemoryKeysStore();
    const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
    const keys = new SigningKeys(store, clock, ServerKey.random());
    const p = project("project-test-00000000-0000-4000-8000-00000000000a");
    const first = await keys.createKey(p.project_id, "test");
    const next = await keys.rotate(p.project_id, "test", 60_000);

    // During the grace period both keys are published and the old one still signs.
    assert.deepEqual((await keys.jwks(p.project_id)).map((k) => k.kid).sort(), [first.kid, next.kid].sort());
    assert.equal((await keys.signingKey(p.project_id)).kid, first.kid);
    assert.deepEqual(
      (await keys.list(p.project_id)).map((k) => [k.kid, k.state]),
      [
        [next.kid, "pending"],
        [first.kid, "signing"],
      ],
    );

    // After the grace period the new key signs; the old one stays published one JWT lifetime more.
    clock.advance(60_000);
    assert.equal((await keys.signingKey(p.project_id)).kid, next.kid);
    assert.equal((await keys.jwks(p.project_id)).length, 2);
    clock.advance(300_000);
    assert.deepEqual(
      (await keys.jwks(p.project_id)).map((k) => k.kid),
      [next.kid],
    );
    // A retired key still verifies remotely (sessions/authenticate accepts its expired JWTs for live sessions).
    assert.ok(await keys.verificationKey(p.project_id, first.kid));
  });
});
