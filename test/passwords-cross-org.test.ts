import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { B2BClient } from "stytch";
import { pkceChallengeOf } from "../src/crypto/random.js";
import {
  activeMember,
  createOrg,
  mailCount,
  STRONG_PASSWORD,
  type TestOrg,
  uniq,
} from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";
import { linksOf, tokenFrom } from "./helpers/smtp.js";

/**
 * Cross-org passwords (the project setting `cross_org_passwords`): one password per person across the
 * project's organizations, passwords/discovery/*, passwords/email/require_reset, and what the setting changes
 * in the organization-scoped routes.
 */

const MINUTE = 60_000;
const NEW_PASSWORD = "correct horse battery staple 42";

describe("cross-org passwords", () => {
  let server: TestServer;
  let client: B2BClient;
  let projectId: string;
  before(async () => {
    server = await startTestServer();
    const other = await server.newProject("Cross-org project");
    client = other.client;
    projectId = other.credentials.project_id;
    await server.app.services.projects.updateSettings(projectId, { cross_org_passwords: true });
  });
  after(() => server.stop());

  /**
   * One person in two organizations: active in A by magic link with a password set there (session reset), and
   * an active member of B with no password of its own.
   */
  async function person() {
    const a = await createOrg(client, "Alpha");
    const b = await createOrg(client, "Beta");
    const inA = await activeMember(server, a, { client });
    const set = await client.passwords.sessions.reset({
      organization_id: a.organization_id,
      password: STRONG_PASSWORD,
      session_token: inA.session_token,
    });
    const inB = await client.organizations.members.create({
      organization_id: b.organization_id,
      email_address: inA.email,
    });
    return {
      a,
      b,
      email: inA.email,
      memberA: inA.member_id,
      memberB: inB.member_id,
      sessionA: set.session_token,
    };
  }

  const login = (org: TestOrg, email: string, password: string) =>
    client.passwords.authenticate({ organization_id: org.organization_id, email_address: email, password });

  /** Starts a discovery reset for `email` and returns the email and its reset token. */
  async function resetToken(email: string, extra: Record<string, unknown> = {}) {
    const before = mailCount(server, email);
    const started = await client.passwords.discovery.email.resetStart({ email_address: email, ...extra });
    assert.deepEqual(Object.keys(started).sort(), ["request_id", "status_code"]);
    const mail = await server.smtp.waitFor(email, { after: before });
    return { mail, token: tokenFrom(mail, "discovery") };
  }

  it("answers 400 cross_org_passwords_not_enabled on every cross-org route of a project without it", async () => {
    const off = server.client;
    const email = `someone-${uniq()}@example.com`;
    const calls: (() => Promise<unknown>)[] = [
      () => off.passwords.discovery.authenticate({ email_address: email, password: STRONG_PASSWORD }),
      () => off.passwords.discovery.email.resetStart({ email_address: email }),
      () =>
        off.passwords.discovery.email.reset({ password_reset_token: "x".repeat(44), password: NEW_PASSWORD }),
      () => off.passwords.email.requireReset({ email_address: email }),
    ];
    for (const call of calls) {
      await assert.rejects(call, { error_type: "cross_org_passwords_not_enabled", status_code: 400 });
    }
    const project = await server.app.services.projects.get(server.project.project_id);
    assert.equal(project?.settings.cross_org_passwords, false);
  });

  it("can be turned on only while no member has a password", async () => {
    const { credentials, client: c } = await server.newProject("Toggle");
    const org = await createOrg(c);
    const member = await activeMember(server, org, { client: c });
    const set = await c.passwords.sessions.reset({
      organization_id: org.organization_id,
      password: STRONG_PASSWORD,
      session_token: member.session_token,
    });
    const projects = server.app.services.projects;
    await assert.rejects(projects.updateSettings(credentials.project_id, { cross_org_passwords: true }), {
      type: "invalid_request_value",
    });
    await c.organizations.members.deletePassword({
      organization_id: org.organization_id,
      member_password_id: set.member.member_password_id,
    });
    const on = await projects.updateSettings(credentials.project_id, { cross_org_passwords: true });
    assert.equal(on.settings.cross_org_passwords, true);
  });

  it("lets a password set in one organization log in to another, with one member_password_id", async () => {
    const p = await person();
    const inB = await login(p.b, p.email, STRONG_PASSWORD);
    assert.equal(inB.member_id, p.memberB);
    assert.equal(inB.member_session?.authentication_factors[0]?.type, "password");
    const a = await client.organizations.members.get({
      organization_id: p.a.organization_id,
      member_id: p.memberA,
    });
    const b = await client.organizations.members.get({
      organization_id: p.b.organization_id,
      member_id: p.memberB,
    });
    assert.ok(a.member.member_password_id);
    assert.equal(b.member.member_password_id, a.member.member_password_id);

    // A membership created afterwards uses the same password.
    const c = await createOrg(client, "Gamma");
    const inC = await client.organizations.members.create({
      organization_id: c.organization_id,
      email_address: p.email,
    });
    assert.equal((await login(c, p.email, STRONG_PASSWORD)).member_id, inC.member_id);

    // members.deletePassword is organization-scoped, so it is refused here.
    await assert.rejects(
      client.organizations.members.deletePassword({
        organization_id: p.a.organization_id,
        member_password_id: a.member.member_password_id,
      }),
      { error_type: "cross_org_passwords_enabled", status_code: 400 },
    );
  });

  it("authenticates by discovery, lists the memberships and exchanges the IST into one of them", async () => {
    const p = await person();
    const { organization: invitedOrg } = await client.organizations.create({
      organization_name: `Invited ${uniq()}`,
      organization_slug: `invited-${uniq()}`,
      email_invites: "ALL_ALLOWED",
    });
    await client.magicLinks.email.invite({
      organization_id: invitedOrg.organization_id,
      email_address: p.email,
    });
    // An organization the address could join by email domain, but not with a password.
    const { organization: jit } = await client.organizations.create({
      organization_name: `Jit ${uniq()}`,
      organization_slug: `jit-${uniq()}`,
      email_allowed_domains: [p.email.split("@")[1]!],
      email_jit_provisioning: "RESTRICTED",
    });

    const auth = await client.passwords.discovery.authenticate({
      email_address: p.email,
      password: STRONG_PASSWORD,
    });
    assert.equal(auth.email_address, p.email);
    assert.match(auth.intermediate_session_token, /^[A-Za-z0-9_-]{44}$/);
    assert.ok(auth.intermediate_session_token_expires_at);
    const found = new Map(auth.discovered_organizations.map((d) => [d.organization?.organization_id, d]));
    assert.equal(found.size, 3);
    assert.equal(found.get(p.a.organization_id)?.membership?.type, "active_member");
    assert.equal(found.get(p.b.organization_id)?.member_authenticated, true);
    assert.equal(found.get(invitedOrg.organization_id)?.membership?.type, "invited_member");
    assert.ok(!found.has(jit.organization_id), "no JIT offer without a proven mailbox");

    const ist = auth.intermediate_session_token;
    for (const refused of [
      () =>
        client.discovery.intermediateSessions.exchange({
          intermediate_session_token: ist,
          organization_id: jit.organization_id,
        }),
      () =>
        client.discovery.organizations.create({ intermediate_session_token: ist, organization_name: "New" }),
    ]) {
      await assert.rejects(refused, {
        error_type: "insufficient_factors_for_session_exchange",
        status_code: 400,
      });
    }
    const exchanged = await client.discovery.intermediateSessions.exchange({
      intermediate_session_token: ist,
      organization_id: invitedOrg.organization_id,
    });
    assert.equal(exchanged.member.status, "active");
    assert.deepEqual(
      exchanged.member_session?.authentication_factors.map((f) => [f.type, f.delivery_method]),
      [["password", "knowledge"]],
    );
    await assert.rejects(
      client.discovery.intermediateSessions.exchange({
        intermediate_session_token: ist,
        organization_id: p.b.organization_id,
      }),
      { error_type: "intermediate_session_not_found", status_code: 404 },
    );
    const again = await client.passwords.discovery.authenticate({
      email_address: p.email,
      password: STRONG_PASSWORD,
    });
    const intoB = await client.discovery.intermediateSessions.exchange({
      intermediate_session_token: again.intermediate_session_token,
      organization_id: p.b.organization_id,
    });
    assert.equal(intoB.member_id, p.memberB);
    const checked = await client.sessions.authenticate({ session_token: intoB.session_token });
    assert.equal(checked.member_session.organization_id, p.b.organization_id);
  });

  it("answers a wrong password and an unknown address alike, and locks the person everywhere", async () => {
    const p = await person();
    const wrong = await client.passwords.discovery
      .authenticate({ email_address: p.email, password: "not the right password at all 42" })
      .catch((e: unknown) => e as { error_type: string; status_code: number; error_message: string });
    const unknown = await client.passwords.discovery
      .authenticate({ email_address: `ghost-${uniq()}@example.com`, password: STRONG_PASSWORD })
      .catch((e: unknown) => e as { error_type: string; status_code: number; error_message: string });
    for (const e of [wrong, unknown] as {
      error_type: string;
      status_code: number;
      error_message: string;
    }[]) {
      assert.equal(e.error_type, "unauthorized_credentials");
      assert.equal(e.status_code, 401);
    }
    assert.equal(
      (unknown as { error_message: string }).error_message,
      (wrong as { error_message: string }).error_message,
    );

    // 10 failures in all (1 above, 5 by discovery, 4 in org B) lock the person, in every organization.
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        client.passwords.discovery.authenticate({ email_address: p.email, password: `nope ${i}` }),
      );
    }
    for (let i = 0; i < 4; i++) await assert.rejects(login(p.b, p.email, `nope again ${i}`));
    for (const locked of [
      () => client.passwords.discovery.authenticate({ email_address: p.email, password: STRONG_PASSWORD }),
      () => login(p.a, p.email, STRONG_PASSWORD),
    ]) {
      await assert.rejects(locked, { error_type: "user_lock_limit_reached", status_code: 429 });
    }
    server.clock.advance(61 * MINUTE);
    assert.equal((await login(p.a, p.email, STRONG_PASSWORD)).member_id, p.memberA);
  });

  it("resets by discovery email: new password everywhere, every session revoked, single-use link", async () => {
    const p = await person();
    const sessionB = (await login(p.b, p.email, STRONG_PASSWORD)).session_token;
    const { mail, token } = await resetToken(p.email);
    assert.match(mail.subject, /Cross-org project/);
    assert.ok(
      linksOf(mail)[0]!.startsWith("http://localhost:3000/authenticate?stytch_token_type=discovery&token="),
    );
    assert.equal(new URL(linksOf(mail)[0]!).searchParams.get("slug"), null);
    // The reset link is not a discovery magic link.
    await assert.rejects(client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token }), {
      error_type: "magic_link_not_found",
    });
    await assert.rejects(
      client.passwords.discovery.email.reset({ password_reset_token: token, password: "password" }),
      {
        error_type: "weak_password",
      },
    );

    const reset = await client.passwords.discovery.email.reset({
      password_reset_token: token,
      password: NEW_PASSWORD,
    });
    assert.equal(reset.email_address, p.email);
    const ids = reset.discovered_organizations.map((d) => d.organization?.organization_id).sort();
    assert.deepEqual(ids, [p.a.organization_id, p.b.organization_id].sort());
    for (const session of [p.sessionA, sessionB]) {
      await assert.rejects(client.sessions.authenticate({ session_token: session }), {
        error_type: "session_not_found",
      });
    }
    await assert.rejects(login(p.a, p.email, STRONG_PASSWORD), { error_type: "unauthorized_credentials" });
    assert.equal((await login(p.b, p.email, NEW_PASSWORD)).member_id, p.memberB);
    const intoA = await client.discovery.intermediateSessions.exchange({
      intermediate_session_token: reset.intermediate_session_token,
      organization_id: p.a.organization_id,
    });
    assert.deepEqual(intoA.member_session?.authentication_factors.map((f) => f.type).sort(), [
      "magic_link",
      "password",
    ]);
    await assert.rejects(
      client.passwords.discovery.email.reset({ password_reset_token: token, password: NEW_PASSWORD }),
      {
        error_type: "unable_to_auth_password_reset_token",
        status_code: 401,
      },
    );
  });

  it("checks PKCE, and sends nothing to an address with no member (same 200)", async () => {
    const p = await person();
    const verifier = `verifier-${uniq()}-${"v".repeat(40)}`;
    const { token } = await resetToken(p.email, { pkce_code_challenge: pkceChallengeOf(verifier) });
    await assert.rejects(
      client.passwords.discovery.email.reset({ password_reset_token: token, password: NEW_PASSWORD }),
      {
        error_type: "pkce_expected_code_verifier",
      },
    );
    const done = await client.passwords.discovery.email.reset({
      password_reset_token: token,
      password: NEW_PASSWORD,
      pkce_code_verifier: verifier,
    });
    assert.equal(done.status_code, 200);

    const stranger = `stranger-${uniq()}@example.com`;
    const answer = await client.passwords.discovery.email.resetStart({ email_address: stranger });
    assert.equal(answer.status_code, 200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(mailCount(server, stranger), 0);
  });

  it("require_reset removes the person's password in every organization until a reset", async () => {
    const p = await person();
    const done = await client.passwords.email.requireReset({
      email_address: p.email,
      organization_id: p.a.organization_id,
    });
    assert.equal(done.member_id, p.memberA);
    assert.equal(done.member?.member_password_id, "");
    assert.equal(done.organization?.organization_id, p.a.organization_id);
    for (const attempt of [
      () => login(p.a, p.email, STRONG_PASSWORD),
      () => login(p.b, p.email, STRONG_PASSWORD),
      () => client.passwords.discovery.authenticate({ email_address: p.email, password: STRONG_PASSWORD }),
    ]) {
      await assert.rejects(attempt, { error_type: "unauthorized_credentials", status_code: 401 });
    }
    await assert.rejects(
      client.passwords.email.requireReset({ email_address: `nobody-${uniq()}@example.com` }),
      {
        error_type: "member_not_found",
        status_code: 404,
      },
    );
    const { token } = await resetToken(p.email);
    await client.passwords.discovery.email.reset({ password_reset_token: token, password: NEW_PASSWORD });
    assert.equal((await login(p.a, p.email, NEW_PASSWORD)).member_id, p.memberA);
  });

  it("shares imported hashes, forces a reset of a breached one, and drops password ISTs once turned off", async () => {
    const { credentials, client: c } = await server.newProject("Imports");
    const projects = server.app.services.projects;
    await projects.updateSettings(credentials.project_id, { cross_org_passwords: true });
    const a = await createOrg(c);
    const b = await createOrg(c);
    const email = `imported-${uniq()}@${a.domain}`;
    await c.organizations.members.create({ organization_id: b.organization_id, email_address: email });
    const breached = "password1234";
    await c.passwords.migrate({
      organization_id: a.organization_id,
      email_address: email,
      hash_type: "md_5",
      hash: createHash("md5").update(breached).digest("hex"),
    });
    await assert.rejects(c.passwords.discovery.authenticate({ email_address: email, password: breached }), {
      error_type: "member_reset_password",
      status_code: 401,
    });
    await assert.rejects(
      c.passwords.authenticate({
        organization_id: b.organization_id,
        email_address: email,
        password: breached,
      }),
      { error_type: "member_reset_password" },
    );

    const strong = `imported ${uniq()} battery horse`;
    await c.passwords.migrate({
      organization_id: b.organization_id,
      email_address: email,
      hash_type: "md_5",
      hash: createHash("md5").update(strong).digest("hex"),
    });
    const auth = await c.passwords.discovery.authenticate({ email_address: email, password: strong });
    await projects.updateSettings(credentials.project_id, { cross_org_passwords: false });
    await assert.rejects(
      c.discovery.intermediateSessions.exchange({
        intermediate_session_token: auth.intermediate_session_token,
        organization_id: a.organization_id,
      }),
      { error_type: "insufficient_factors_for_session_exchange" },
    );
    // Each member keeps its copy as an organization-scoped password.
    const inA = await c.passwords.authenticate({
      organization_id: a.organization_id,
      email_address: email,
      password: strong,
    });
    assert.equal(inA.status_code, 200);
  });
});
