import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createSqlStore } from "../src/storage/store.js";
import { activeMember, createOrg, decodeJwt, memberWithPassword, type TestOrg } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";

/** Sessions: authenticate by token and JWT, expiry and extension, revocation, listing, JWT shape, claims. */

const MINUTE = 60_000;

/** Replaces one character in the middle of the JWT's signature with a different base64url character. */
function tamperSignature(jwt: string): string {
  const [h, p, s] = jwt.split(".") as [string, string, string];
  const i = Math.floor(s.length / 2);
  const swapped = s[i] === "A" ? "B" : "A";
  return `${h}.${p}.${s.slice(0, i)}${swapped}${s.slice(i + 1)}`;
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe("sessions", () => {
  let server: TestServer;
  let org: TestOrg;
  before(async () => {
    server = await startTestServer();
    org = await createOrg(server.client, "Sessions");
  });
  after(() => server.stop());

  const now = () => server.clock.now();
  /** The SDK verifies JWTs against real time unless told otherwise; the server runs on the manual clock. */
  const localVerify = (session_jwt: string) =>
    server.client.sessions.authenticateJwtLocal({ session_jwt, current_date: new Date(now()) });

  it("answers checks within one second exactly as fresh ones, and writes the session once per second", async () => {
    const member = await activeMember(server, org);
    /** The access time in the row itself, read past this node's pending (written-behind) accesses. */
    const storedAccess = async () =>
      (
        await createSqlStore(server.db).sessions.findById(
          server.project.project_id,
          member.member_session_id,
          now(),
        )
      )?.last_accessed_at;
    server.clock.advance(2000 - (now() % 1000)); // the start of a second, one second after the login
    const first = await server.client.sessions.authenticate({ session_token: member.session_token });
    const stored = await server.store.sessions.findById(
      server.project.project_id,
      member.member_session_id,
      now(),
    );
    server.clock.advance(400);
    const repeat = await server.client.sessions.authenticate({ session_token: member.session_token });
    // Whole-second timestamps (§3.5) make the second check's JWT payload equal the first's; RS256 (PKCS#1 v1.5)
    // is deterministic, so the remembered JWT is the very string a fresh signature gives.
    assert.equal(repeat.session_jwt, first.session_jwt);
    assert.deepEqual(repeat.member_session, first.member_session);
    // The second access within the same second stores nothing new.
    const after = await server.store.sessions.findById(
      server.project.project_id,
      member.member_session_id,
      now(),
    );
    assert.equal(after?.last_accessed_at, stored?.last_accessed_at);
    // Asking for a longer session always writes, whatever the second.
    const extended = await server.client.sessions.authenticate({
      session_token: member.session_token,
      session_duration_minutes: 90,
    });
    assert.notEqual(extended.member_session.expires_at, first.member_session.expires_at);
    server.clock.advance(1000);
    const later = await server.client.sessions.authenticate({ session_token: member.session_token });
    assert.notEqual(later.session_jwt, first.session_jwt);
    assert.ok(
      Date.parse(later.member_session.last_accessed_at) > Date.parse(first.member_session.last_accessed_at),
    );
    const written = await server.store.sessions.findById(
      server.project.project_id,
      member.member_session_id,
      now(),
    );
    assert.equal(written?.last_accessed_at, now(), "this node sees the access at once");
    // The access is written behind; after the flush the row itself has it, and an older access never moves
    // it back.
    server.store.sessions.recordAccess(member.member_session_id, now() - 5000);
    await server.store.flush();
    assert.equal(await storedAccess(), now());
    // Two flushes at once (a timer and a shutdown): the second resolves only once the first one's write is in.
    server.clock.advance(3000);
    server.store.sessions.recordAccess(member.member_session_id, now());
    const timerFlush = server.store.flush();
    await server.store.flush();
    assert.equal(await storedAccess(), now());
    await timerFlush;
    assert.equal((await localVerify(later.session_jwt)).member_session_id, member.member_session_id);
  });

  it("authenticates by session_token: fresh JWT, same token, later last_accessed_at, same expires_at", async () => {
    const member = await activeMember(server, org);
    const first = await server.client.sessions.authenticate({ session_token: member.session_token });
    server.clock.advance(2000);
    const second = await server.client.sessions.authenticate({ session_token: member.session_token });
    assert.equal(second.status_code, 200);
    assert.equal(second.session_token, member.session_token);
    assert.notEqual(second.session_jwt, first.session_jwt);
    assert.notEqual(second.session_jwt, member.session_jwt);
    assert.equal(second.member_session.member_session_id, member.member_session_id);
    assert.ok(
      Date.parse(second.member_session.last_accessed_at) > Date.parse(first.member_session.last_accessed_at),
    );
    assert.equal(second.member_session.expires_at, first.member_session.expires_at);
    assert.equal(second.member.member_id, member.member_id);
    assert.equal(second.organization.organization_id, org.organization_id);

    const extended = await server.client.sessions.authenticate({
      session_token: member.session_token,
      session_duration_minutes: 120,
    });
    const expected = now() + 120 * MINUTE;
    assert.ok(Math.abs(Date.parse(extended.member_session.expires_at) - expected) < 1000);
  });

  it("authenticates by session_jwt and returns the session_token too", async () => {
    const member = await activeMember(server, org);
    const byJwt = await server.client.sessions.authenticate({ session_jwt: member.session_jwt });
    assert.equal(byJwt.status_code, 200);
    assert.equal(byJwt.session_token, member.session_token);
    assert.equal(byJwt.member_session.member_session_id, member.member_session_id);
    assert.equal(byJwt.session_jwt.split(".").length, 3);
  });

  it("accepts an expired JWT remotely while the session lives, and returns a fresh one", async () => {
    const member = await activeMember(server, org);
    server.clock.advance(10 * MINUTE);
    await assert.rejects(localVerify(member.session_jwt), { code: "jwt_invalid" });
    const renewed = await server.client.sessions.authenticate({ session_jwt: member.session_jwt });
    assert.notEqual(renewed.session_jwt, member.session_jwt);
    const { payload } = decodeJwt(renewed.session_jwt);
    assert.ok(Number(payload.exp) * 1000 > now());
    const local = await localVerify(renewed.session_jwt);
    assert.equal(local.member_session_id, member.member_session_id);
  });

  it("refuses the JWT of a revoked session with 404, though it still verifies locally", async () => {
    const member = await activeMember(server, org);
    await server.client.sessions.revoke({ session_token: member.session_token });
    await assert.rejects(server.client.sessions.authenticate({ session_jwt: member.session_jwt }), {
      error_type: "session_not_found",
      status_code: 404,
    });
    // Local verification cannot know about the revocation (at most 5 minutes).
    const local = await localVerify(member.session_jwt);
    assert.equal(local.member_id, member.member_id);
  });

  it("needs exactly one of session_token and session_jwt", async () => {
    const member = await activeMember(server, org);
    await assert.rejects(server.client.sessions.authenticate({}), {
      error_type: "no_session_arguments",
      status_code: 400,
    });
    await assert.rejects(
      server.client.sessions.authenticate({
        session_token: member.session_token,
        session_jwt: member.session_jwt,
      }),
      { error_type: "too_many_session_arguments", status_code: 400 },
    );
  });

  it("refuses session_duration_minutes outside 5..527040, and a string, with 400", async () => {
    const member = await activeMember(server, org);
    for (const minutes of [4, 527041, 0, -5]) {
      await assert.rejects(
        server.client.sessions.authenticate({
          session_token: member.session_token,
          session_duration_minutes: minutes,
        }),
        { error_type: "invalid_session_duration_minutes", status_code: 400 },
        String(minutes),
      );
    }
    const asString = await server.fetch("/v1/b2b/sessions/authenticate", {
      method: "POST",
      body: JSON.stringify({ session_token: member.session_token, session_duration_minutes: "60" }),
    });
    assert.equal(asString.status, 400);
    const body = (await asString.json()) as { status_code: number; error_type: string };
    assert.equal(body.status_code, 400);
    assert.equal(typeof body.error_type, "string");
    const fractional = await server.fetch("/v1/b2b/sessions/authenticate", {
      method: "POST",
      body: JSON.stringify({ session_token: member.session_token, session_duration_minutes: 60.5 }),
    });
    assert.equal(fractional.status, 400);
    // None of the refused calls changed the session; the bounds themselves are accepted.
    for (const minutes of [5, 527040]) {
      const ok = await server.client.sessions.authenticate({
        session_token: member.session_token,
        session_duration_minutes: minutes,
      });
      assert.ok(Math.abs(Date.parse(ok.member_session.expires_at) - (now() + minutes * MINUTE)) < 1000);
    }
  });

  it("revokes by session_token, by member_session_id, and every session by member_id", async () => {
    const member = await memberWithPassword(server, org);
    const login = () =>
      server.client.passwords.authenticate({
        organization_id: org.organization_id,
        email_address: member.email,
        password: member.password,
      });
    const [a, b, c, d] = [await login(), await login(), await login(), await login()];

    const revokedByToken = await server.client.sessions.revoke({ session_token: a.session_token });
    assert.equal(revokedByToken.status_code, 200);
    await assert.rejects(server.client.sessions.authenticate({ session_token: a.session_token }), {
      error_type: "session_not_found",
      status_code: 404,
    });
    // b is untouched by a's revocation.
    await server.client.sessions.authenticate({ session_token: b.session_token });

    await server.client.sessions.revoke({ member_session_id: b.member_session!.member_session_id });
    await assert.rejects(server.client.sessions.authenticate({ session_token: b.session_token }), {
      error_type: "session_not_found",
      status_code: 404,
    });
    await server.client.sessions.authenticate({ session_token: c.session_token });

    await server.client.sessions.revoke({ member_id: member.member_id });
    for (const gone of [c.session_token, d.session_token, member.session_token]) {
      await assert.rejects(server.client.sessions.authenticate({ session_token: gone }), {
        error_type: "session_not_found",
        status_code: 404,
      });
    }
    const { member_sessions } = await server.client.sessions.get({
      organization_id: org.organization_id,
      member_id: member.member_id,
    });
    assert.deepEqual(member_sessions, []);
  });

  it("refuses revoke with no argument or with several", async () => {
    const member = await activeMember(server, org);
    await assert.rejects(server.client.sessions.revoke({}), {
      error_type: "no_session_revoke_arguments",
      status_code: 400,
    });
    await assert.rejects(
      server.client.sessions.revoke({ session_token: member.session_token, member_id: member.member_id }),
      { error_type: "too_many_session_revoke_arguments", status_code: 400 },
    );
    await server.client.sessions.authenticate({ session_token: member.session_token });
  });

  it("lists only live sessions (not revoked, not expired)", async () => {
    const member = await memberWithPassword(server, org);
    const login = (extra: { session_duration_minutes?: number } = {}) =>
      server.client.passwords.authenticate({
        organization_id: org.organization_id,
        email_address: member.email,
        password: member.password,
        ...extra,
      });
    const short = await login({ session_duration_minutes: 5 });
    const revoked = await login();
    const live = await login({ session_duration_minutes: 600 });
    await server.client.sessions.revoke({ session_token: revoked.session_token });
    server.clock.advance(6 * MINUTE);

    const { member_sessions } = await server.client.sessions.get({
      organization_id: org.organization_id,
      member_id: member.member_id,
    });
    const ids = member_sessions.map((s) => s.member_session_id);
    assert.ok(ids.includes(live.member_session!.member_session_id));
    assert.ok(!ids.includes(revoked.member_session!.member_session_id));
    assert.ok(!ids.includes(short.member_session!.member_session_id));
    // The member's original magic-link session (60 min) is also still live.
    assert.deepEqual(ids.sort(), [live.member_session!.member_session_id, member.member_session_id].sort());
    await assert.rejects(server.client.sessions.authenticate({ session_token: short.session_token }), {
      error_type: "session_not_found",
      status_code: 404,
    });
  });

  it("refuses a JWT with a tampered signature with 401", async () => {
    const member = await activeMember(server, org);
    const tampered = tamperSignature(member.session_jwt);
    assert.notEqual(tampered, member.session_jwt);
    await assert.rejects(server.client.sessions.authenticate({ session_jwt: tampered }), {
      error_type: "invalid_session_jwt",
      status_code: 401,
    });
    await assert.rejects(localVerify(tampered), { code: "jwt_invalid" });
    // A tampered payload with the original signature fails too.
    const { header, payload } = decodeJwt(member.session_jwt);
    const [, , sig] = member.session_jwt.split(".");
    const forged = `${b64json(header)}.${b64json({ ...payload, sub: "member-test-someone-else" })}.${sig}`;
    await assert.rejects(server.client.sessions.authenticate({ session_jwt: forged }), {
      error_type: "invalid_session_jwt",
      status_code: 401,
    });
  });

  it("refuses a JWT with alg none with 401", async () => {
    const member = await activeMember(server, org);
    const { header, payload } = decodeJwt(member.session_jwt);
    for (const alg of ["none", "None", "NONE"]) {
      const unsigned = `${b64json({ ...header, alg })}.${b64json(payload)}.`;
      await assert.rejects(server.client.sessions.authenticate({ session_jwt: unsigned }), {
        error_type: "invalid_session_jwt",
        status_code: 401,
      });
      const withJunkSignature = `${unsigned}c2lnbmF0dXJl`;
      await assert.rejects(server.client.sessions.authenticate({ session_jwt: withJunkSignature }), {
        error_type: "invalid_session_jwt",
        status_code: 401,
      });
    }
  });

  it("mints JWTs with exactly Stytch's header and claims", async () => {
    const member = await activeMember(server, org);
    const auth = await server.client.sessions.authenticate({ session_token: member.session_token });
    const { header, payload } = decodeJwt(auth.session_jwt);
    const pid = server.project.project_id;

    assert.deepEqual(Object.keys(header).sort(), ["alg", "kid", "typ"]);
    assert.equal(header.alg, "RS256");
    assert.equal(header.typ, "JWT");
    const jwks = await server.client.sessions.getJWKS({ project_id: pid });
    assert.ok(jwks.keys.some((k) => k.kid === header.kid));

    assert.equal(payload.sub, member.member_id);
    assert.equal(payload.iss, `stytch.com/${pid}`);
    assert.deepEqual(payload.aud, [pid]);
    assert.equal(typeof payload.iat, "number");
    assert.equal(payload.iat, Math.floor(now() / 1000));
    assert.equal(payload.nbf, payload.iat);
    assert.equal(payload.exp, Number(payload.iat) + 300);
    assert.deepEqual(Object.keys(payload).sort(), [
      "aud",
      "exp",
      "https://stytch.com/organization",
      "https://stytch.com/session",
      "iat",
      "iss",
      "nbf",
      "sub",
    ]);

    const session = payload["https://stytch.com/session"] as Record<string, unknown>;
    const ms = auth.member_session;
    assert.equal(session.id, ms.member_session_id);
    assert.equal(session.started_at, ms.started_at);
    assert.equal(session.last_accessed_at, ms.last_accessed_at);
    assert.equal(session.expires_at, ms.expires_at);
    assert.deepEqual(session.authentication_factors, ms.authentication_factors);
    assert.equal((session.authentication_factors as { type: string }[])[0]?.type, "magic_link");
    assert.ok(Array.isArray(session.roles));
    assert.ok((session.roles as string[]).includes("stytch_member"));
    assert.deepEqual(payload["https://stytch.com/organization"], {
      organization_id: org.organization_id,
      slug: org.organization_slug,
    });
  });

  it("puts custom claims at the JWT's top level and in member_session; null removes; reserved names are refused", async () => {
    const member = await activeMember(server, org);
    const set = await server.client.sessions.authenticate({
      session_token: member.session_token,
      session_custom_claims: { plan: "pro", seats: 5, nested: { a: [1, 2] } },
    });
    assert.deepEqual(set.member_session.custom_claims, { plan: "pro", seats: 5, nested: { a: [1, 2] } });
    let { payload } = decodeJwt(set.session_jwt);
    assert.equal(payload.plan, "pro");
    assert.equal(payload.seats, 5);
    assert.deepEqual(payload.nested, { a: [1, 2] });
    const local = await localVerify(set.session_jwt);
    assert.deepEqual(local.custom_claims, { plan: "pro", seats: 5, nested: { a: [1, 2] } });

    // Claims persist on later calls and merge; null deletes a key.
    const merged = await server.client.sessions.authenticate({
      session_token: member.session_token,
      session_custom_claims: { plan: null, tier: "gold" },
    });
    assert.deepEqual(merged.member_session.custom_claims, { seats: 5, nested: { a: [1, 2] }, tier: "gold" });
    ({ payload } = decodeJwt(merged.session_jwt));
    assert.equal("plan" in payload, false);
    assert.equal(payload.tier, "gold");
    const later = await server.client.sessions.authenticate({ session_token: member.session_token });
    assert.deepEqual(later.member_session.custom_claims, merged.member_session.custom_claims);

    // Reserved names and the stytch.com namespace are ignored (reference checklist item 54): they never
    // replace the real claims.
    for (const reserved of ["sub", "iss", "aud", "exp", "nbf", "iat", "jti"]) {
      const ignored = await server.client.sessions.authenticate({
        session_token: member.session_token,
        session_custom_claims: { [reserved]: "x" },
      });
      assert.notEqual(decodeJwt(ignored.session_jwt).payload[reserved], "x", reserved);
    }
    const forged = await server.client.sessions.authenticate({
      session_token: member.session_token,
      session_custom_claims: { "https://stytch.com/session": { id: "forged" } },
    });
    assert.notEqual(
      (decodeJwt(forged.session_jwt).payload["https://stytch.com/session"] as { id: string }).id,
      "forged",
    );
    // The ignored claims changed nothing.
    const after = await server.client.sessions.authenticate({ session_token: member.session_token });
    assert.deepEqual(after.member_session.custom_claims, merged.member_session.custom_claims);
    assert.equal(decodeJwt(after.session_jwt).payload.sub, member.member_id);
  });

  it("verifies JWTs locally through the SDK against the server's JWKS", async () => {
    const member = await activeMember(server, org);
    const auth = await server.client.sessions.authenticate({ session_token: member.session_token });
    const local = await localVerify(auth.session_jwt);
    assert.equal(local.member_session_id, member.member_session_id);
    assert.equal(local.member_id, member.member_id);
    assert.equal(local.organization_id, org.organization_id);
    assert.equal(local.organization_slug, org.organization_slug);
    assert.deepEqual(local.roles, auth.member_session.roles);
    assert.equal(local.started_at, auth.member_session.started_at);
    // The SDK re-formats expires_at with milliseconds; the instant is the same.
    assert.equal(Date.parse(local.expires_at), Date.parse(auth.member_session.expires_at));
  });

  it("keeps projects apart: project A's session is not found through project B", async () => {
    const member = await activeMember(server, org);
    const other = await server.newProject("Project B");
    await assert.rejects(other.client.sessions.authenticate({ session_token: member.session_token }), {
      error_type: "session_not_found",
      status_code: 404,
    });
    // A's JWT is signed by a key B does not publish.
    await assert.rejects(other.client.sessions.authenticate({ session_jwt: member.session_jwt }), {
      error_type: "invalid_session_jwt",
      status_code: 401,
    });
    await assert.rejects(other.client.sessions.revoke({ member_session_id: member.member_session_id }), {
      error_type: "session_not_found",
      status_code: 404,
    });
    await assert.rejects(
      other.client.sessions.get({ organization_id: org.organization_id, member_id: member.member_id }),
      { error_type: "organization_not_found", status_code: 404 },
    );
    // Still alive in A.
    const ok = await server.client.sessions.authenticate({ session_token: member.session_token });
    assert.equal(ok.member_session.member_session_id, member.member_session_id);
  });
});
