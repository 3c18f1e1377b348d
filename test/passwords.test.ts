import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  activeMember,
  createOrg,
  mailCount,
  memberWithPassword,
  STRONG_PASSWORD,
  type TestOrg,
  uniq,
} from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";
import { tokenFrom } from "./helpers/smtp.js";

/** Passwords: login failures, strength and breach checks, both reset flows, lockout, long and Unicode input. */

const MINUTE = 60_000;

interface CaughtError {
  error_type: string;
  status_code: number;
  error_message: string;
}

async function caught(promise: Promise<unknown>): Promise<CaughtError> {
  try {
    await promise;
  } catch (error) {
    return error as CaughtError;
  }
  return assert.fail("the call should have failed");
}

describe("passwords", () => {
  let server: TestServer;
  let org: TestOrg;
  before(async () => {
    server = await startTestServer();
    org = await createOrg(server.client, "Passwords");
  });
  after(() => server.stop());

  const login = (email: string, password: string) =>
    server.client.passwords.authenticate({
      organization_id: org.organization_id,
      email_address: email,
      password,
    });

  /** Starts an email reset for `email` and returns the reset token from the email. */
  async function resetToken(email: string, extra: Record<string, unknown> = {}): Promise<string> {
    const before = mailCount(server, email);
    await server.client.passwords.email.resetStart({
      organization_id: org.organization_id,
      email_address: email,
      ...extra,
    });
    return tokenFrom(await server.smtp.waitFor(email, { after: before }), "multi_tenant_passwords");
  }

  it("answers a wrong password, an unknown email and a member without a password alike (401)", async () => {
    const member = await memberWithPassword(server, org);
    const noPassword = await activeMember(server, org);
    const wrong = await caught(login(member.email, "not the right password at all 42"));
    const unknown = await caught(login(`ghost-${uniq()}@${org.domain}`, STRONG_PASSWORD));
    const none = await caught(login(noPassword.email, STRONG_PASSWORD));
    for (const e of [wrong, unknown, none]) {
      assert.equal(e.error_type, "unauthorized_credentials");
      assert.equal(e.status_code, 401);
    }
    assert.equal(unknown.error_message, wrong.error_message);
    assert.equal(none.error_message, wrong.error_message);
    // And the right password works.
    const ok = await login(member.email, member.password);
    assert.equal(ok.member_id, member.member_id);
  });

  it("refuses a weak password on session reset (400) and keeps the old one", async () => {
    const member = await memberWithPassword(server, org);
    const fresh = await login(member.email, member.password);
    for (const weak of ["password", "abc123", "aaaaaaaaaaaa"]) {
      await assert.rejects(
        server.client.passwords.sessions.reset({
          organization_id: org.organization_id,
          password: weak,
          session_token: fresh.session_token,
        }),
        { error_type: "weak_password", status_code: 400 },
        weak,
      );
    }
    const again = await login(member.email, member.password);
    assert.equal(again.member_id, member.member_id);
  });

  it("refuses breached passwords with weak_password", async () => {
    const member = await memberWithPassword(server, org);
    const fresh = await login(member.email, member.password);
    for (const breached of ["password1234", "qwertyuiop123"]) {
      await assert.rejects(
        server.client.passwords.sessions.reset({
          organization_id: org.organization_id,
          password: breached,
          session_token: fresh.session_token,
        }),
        { error_type: "weak_password", status_code: 400 },
        breached,
      );
      const check = await server.client.passwords.strengthCheck({ password: breached });
      assert.equal(check.valid_password, false);
      assert.equal(check.breached_password, true);
    }
    const token = await resetToken(member.email);
    await assert.rejects(
      server.client.passwords.email.reset({ password_reset_token: token, password: "password1234" }),
      { error_type: "weak_password", status_code: 400 },
    );
  });

  it("refuses a weak password on email reset, keeps the old one, and leaves the token usable", async () => {
    const member = await memberWithPassword(server, org);
    const token = await resetToken(member.email);
    await assert.rejects(
      server.client.passwords.email.reset({ password_reset_token: token, password: "letmein" }),
      { error_type: "weak_password", status_code: 400 },
    );
    assert.equal((await login(member.email, member.password)).member_id, member.member_id);

    const newPassword = `correct horse battery staple ${uniq()}`;
    const reset = await server.client.passwords.email.reset({
      password_reset_token: token,
      password: newPassword,
    });
    assert.equal(reset.member_id, member.member_id);
    assert.equal((await login(member.email, newPassword)).member_id, member.member_id);
    await assert.rejects(login(member.email, member.password), {
      error_type: "unauthorized_credentials",
      status_code: 401,
    });
  });

  it("strength_check answers 200 for weak passwords, with both feedback objects", async () => {
    for (const weak of ["password", "abc", "qwerty12"]) {
      const check = await server.client.passwords.strengthCheck({ password: weak });
      assert.equal(check.status_code, 200);
      assert.equal(check.valid_password, false, weak);
      assert.ok(check.score < 3, `${weak}: score ${check.score}`);
      assert.equal(check.strength_policy, "zxcvbn");
      // Both feedback objects are always present, whichever policy is active (Stytch's UI reads both).
      assert.ok(check.zxcvbn_feedback && typeof check.zxcvbn_feedback === "object");
      assert.equal(typeof check.zxcvbn_feedback.warning, "string");
      assert.ok(Array.isArray(check.zxcvbn_feedback.suggestions));
      assert.ok(check.luds_feedback && typeof check.luds_feedback === "object");
      assert.equal(typeof check.luds_feedback.has_lower_case, "boolean");
      assert.equal(typeof check.luds_feedback.missing_characters, "number");
    }
    const strong = await server.client.passwords.strengthCheck({ password: STRONG_PASSWORD });
    assert.equal(strong.valid_password, true);
    assert.ok(strong.score >= 3);
    assert.equal(strong.breached_password, false);
  });

  it("refuses a session reset when the session's factor is older than 5 minutes", async () => {
    const member = await activeMember(server, org);
    server.clock.advance(6 * MINUTE);
    await assert.rejects(
      server.client.passwords.sessions.reset({
        organization_id: org.organization_id,
        password: STRONG_PASSWORD,
        session_token: member.session_token,
      }),
      { error_type: "session_too_old_to_reset_password", status_code: 400 },
    );
    // The session itself is still alive (60 minutes) and the member still has no password.
    const alive = await server.client.sessions.authenticate({ session_token: member.session_token });
    assert.equal(alive.member_session.member_id, member.member_id);
    const got = await server.client.organizations.members.get({
      organization_id: org.organization_id,
      member_id: member.member_id,
    });
    assert.equal(got.member.member_password_id, "");
  });

  it("session reset revokes the member's other sessions and keeps the one used", async () => {
    const member = await memberWithPassword(server, org);
    const a = await login(member.email, member.password);
    const b = await login(member.email, member.password);
    const newPassword = `a brand new passphrase ${uniq()}`;
    const reset = await server.client.passwords.sessions.reset({
      organization_id: org.organization_id,
      password: newPassword,
      session_token: a.session_token,
    });
    assert.equal(reset.session_token, a.session_token);
    const kept = await server.client.sessions.authenticate({ session_token: a.session_token });
    assert.equal(kept.member_session.member_session_id, a.member_session!.member_session_id);
    for (const gone of [b.session_token, member.session_token]) {
      await assert.rejects(server.client.sessions.authenticate({ session_token: gone }), {
        error_type: "session_not_found",
        status_code: 404,
      });
    }
    const { member_sessions } = await server.client.sessions.get({
      organization_id: org.organization_id,
      member_id: member.member_id,
    });
    assert.deepEqual(
      member_sessions.map((s) => s.member_session_id),
      [a.member_session!.member_session_id],
    );
  });

  it("email reset revokes every prior session and starts a new one", async () => {
    const member = await memberWithPassword(server, org);
    const a = await login(member.email, member.password);
    const token = await resetToken(member.email);
    const reset = await server.client.passwords.email.reset({
      password_reset_token: token,
      password: `yet another passphrase ${uniq()}`,
    });
    for (const gone of [a.session_token, member.session_token]) {
      await assert.rejects(server.client.sessions.authenticate({ session_token: gone }), {
        error_type: "session_not_found",
        status_code: 404,
      });
    }
    await assert.rejects(server.client.sessions.authenticate({ session_jwt: a.session_jwt }), {
      error_type: "session_not_found",
      status_code: 404,
    });
    const current = await server.client.sessions.authenticate({ session_token: reset.session_token });
    assert.equal(current.member_session.member_id, member.member_id);
  });

  it("refuses a reused reset token with 401 unable_to_auth_password_reset_token", async () => {
    const member = await memberWithPassword(server, org);
    const token = await resetToken(member.email);
    await server.client.passwords.email.reset({
      password_reset_token: token,
      password: `first new passphrase ${uniq()}`,
    });
    await assert.rejects(
      server.client.passwords.email.reset({
        password_reset_token: token,
        password: `second new passphrase ${uniq()}`,
      }),
      { error_type: "unable_to_auth_password_reset_token", status_code: 401 },
    );
  });

  it("refuses a reset token after its default 30 minutes", async () => {
    const member = await memberWithPassword(server, org);
    const token = await resetToken(member.email);
    server.clock.advance(31 * MINUTE);
    await assert.rejects(
      server.client.passwords.email.reset({
        password_reset_token: token,
        password: `too late passphrase ${uniq()}`,
      }),
      { error_type: "unable_to_auth_password_reset_token", status_code: 401 },
    );
    // Starting a reset changed nothing: the old password still works.
    assert.equal((await login(member.email, member.password)).member_id, member.member_id);
  });

  it("answers reset/start for an unknown member with 404 member_not_found and sends nothing", async () => {
    const email = `nobody-${uniq()}@${org.domain}`;
    await assert.rejects(
      server.client.passwords.email.resetStart({
        organization_id: org.organization_id,
        email_address: email,
      }),
      { error_type: "member_not_found", status_code: 404 },
    );
    assert.equal(mailCount(server, email), 0);
  });

  it("locks a member after 10 consecutive failures, even for the right password, until the lock expires", async () => {
    const member = await memberWithPassword(server, org);
    for (let i = 0; i < 10; i++) {
      await assert.rejects(login(member.email, `wrong password number ${i}`), {
        error_type: "unauthorized_credentials",
        status_code: 401,
      });
    }
    await assert.rejects(login(member.email, member.password), {
      error_type: "user_lock_limit_reached",
      status_code: 429,
    });
    const locked = await server.client.organizations.members.get({
      organization_id: org.organization_id,
      member_id: member.member_id,
    });
    assert.equal(locked.member.is_locked, true);
    assert.ok(locked.member.lock_expires_at);

    server.clock.advance(61 * MINUTE);
    const ok = await login(member.email, member.password);
    assert.equal(ok.member_id, member.member_id);
    const unlocked = await server.client.organizations.members.get({
      organization_id: org.organization_id,
      member_id: member.member_id,
    });
    assert.equal(unlocked.member.is_locked, false);
  });

  it("lets a locked member reset the password by email, which lifts the lock", async () => {
    const member = await memberWithPassword(server, org);
    for (let i = 0; i < 10; i++) {
      await assert.rejects(login(member.email, `bad guess ${i}`), { error_type: "unauthorized_credentials" });
    }
    await assert.rejects(login(member.email, member.password), { error_type: "user_lock_limit_reached" });
    const token = await resetToken(member.email);
    const newPassword = `unlocked again passphrase ${uniq()}`;
    await server.client.passwords.email.reset({ password_reset_token: token, password: newPassword });
    const got = await server.client.organizations.members.get({
      organization_id: org.organization_id,
      member_id: member.member_id,
    });
    assert.equal(got.member.is_locked, false);
    assert.equal((await login(member.email, newPassword)).member_id, member.member_id);
  });

  it("binds tokens to their kind: a reset token is no magic link, a magic link no reset token", async () => {
    const member = await memberWithPassword(server, org);
    const reset = await resetToken(member.email);
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: reset }), {
      error_type: "magic_link_not_found",
      status_code: 404,
    });
    const before = mailCount(server, member.email);
    await server.client.magicLinks.email.loginOrSignup({
      organization_id: org.organization_id,
      email_address: member.email,
    });
    const mail = await server.smtp.waitFor(member.email, { after: before });
    const magic = tokenFrom(mail, "multi_tenant_magic_links");
    await assert.rejects(
      server.client.passwords.email.reset({
        password_reset_token: magic,
        password: `cross kind passphrase ${uniq()}`,
      }),
      { error_type: "unable_to_auth_password_reset_token", status_code: 401 },
    );
    // Both still work for what they are.
    await server.client.magicLinks.authenticate({ magic_links_token: magic });
    await server.client.passwords.email.reset({
      password_reset_token: reset,
      password: `right kind passphrase ${uniq()}`,
    });
  });

  it("resets the failure streak on success (9 wrong, 1 right, 9 wrong: not locked)", async () => {
    const member = await memberWithPassword(server, org);
    const fail = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await assert.rejects(login(member.email, `nope ${i}`), { error_type: "unauthorized_credentials" });
      }
    };
    await fail(9);
    await login(member.email, member.password);
    await fail(9);
    const got = await server.client.organizations.members.get({
      organization_id: org.organization_id,
      member_id: member.member_id,
    });
    assert.equal(got.member.is_locked, false);
    assert.equal((await login(member.email, member.password)).member_id, member.member_id);
  });

  it("refuses a password over 256 code points with 400 weak_password, not 500", async () => {
    const member = await memberWithPassword(server, org);
    const fresh = await login(member.email, member.password);
    const long = `${"Zq7!xw".repeat(50)}tail`; // 304 code points
    await assert.rejects(
      server.client.passwords.sessions.reset({
        organization_id: org.organization_id,
        password: long,
        session_token: fresh.session_token,
      }),
      { error_type: "weak_password", status_code: 400 },
    );
    const check = await server.client.passwords.strengthCheck({ password: long });
    assert.equal(check.valid_password, false);
    // Logging in with it is a plain wrong password.
    await assert.rejects(login(member.email, long), {
      error_type: "unauthorized_credentials",
      status_code: 401,
    });
  });

  it("round-trips a Unicode password with emoji and combining characters", async () => {
    const member = await memberWithPassword(server, org);
    const fresh = await login(member.email, member.password);
    // "é" written as e + U+0301 (combining acute), plus emoji (astral code points) and other scripts.
    const unicode = "Cafe\u0301 🦄🔑 Ωμέγα ñandú 日本語 ✓ 2026";
    await server.client.passwords.sessions.reset({
      organization_id: org.organization_id,
      password: unicode,
      session_token: fresh.session_token,
    });
    assert.equal((await login(member.email, unicode)).member_id, member.member_id);
    // Passwords are NFKC-normalised before hashing (src/passwords/hasher.ts): the precomposed form matches too.
    assert.equal((await login(member.email, unicode.normalize("NFC"))).member_id, member.member_id);
    // Without the emoji it is a different password.
    await assert.rejects(login(member.email, unicode.replace("🦄", "")), {
      error_type: "unauthorized_credentials",
    });
  });

  it("never truncates: a 100-character password does not match its first 72 characters", async () => {
    const member = await memberWithPassword(server, org);
    const fresh = await login(member.email, member.password);
    const base = `Tr0ub4dor&3-${uniq()}-`;
    const long = base.repeat(Math.ceil(100 / base.length)).slice(0, 100);
    assert.equal(long.length, 100);
    await server.client.passwords.sessions.reset({
      organization_id: org.organization_id,
      password: long,
      session_token: fresh.session_token,
    });
    await assert.rejects(login(member.email, long.slice(0, 72)), {
      error_type: "unauthorized_credentials",
      status_code: 401,
    });
    await assert.rejects(login(member.email, `${long}x`), {
      error_type: "unauthorized_credentials",
      status_code: 401,
    });
    assert.equal((await login(member.email, long)).member_id, member.member_id);
  });
});
