import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { activeMember, createOrg, mailCount, uniq } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";
import { linksOf, tokenFrom } from "./helpers/smtp.js";

/** Email magic links: login vs signup, JIT provisioning, token lifecycle, redirect URLs, PKCE, isolation. */

const MINUTE = 60_000;

describe("magic links", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  /** Sends a magic link to `email` in `organization_id` and returns the token from the email. */
  async function sendLink(
    organization_id: string,
    email: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ token: string; member_id: string; member_created: boolean }> {
    const before = mailCount(server, email);
    const sent = await server.client.magicLinks.email.loginOrSignup({
      organization_id,
      email_address: email,
      ...extra,
    });
    const mail = await server.smtp.waitFor(email, { after: before });
    return {
      token: tokenFrom(mail, "multi_tenant_magic_links"),
      member_id: sent.member_id,
      member_created: sent.member_created,
    };
  }

  it("sends a SIGNUP email to a new address and a LOGIN email to an active member", async () => {
    const org = await createOrg(server.client);
    const email = `new-${uniq()}@${org.domain}`;

    const signup = await server.client.magicLinks.email.loginOrSignup({
      organization_id: org.organization_id,
      email_address: email,
    });
    assert.equal(signup.status_code, 200);
    assert.equal(signup.member_created, true);
    assert.equal(signup.member.status, "pending");
    const signupMail = await server.smtp.waitFor(email);
    assert.match(signupMail.subject, /sign/i);
    assert.doesNotMatch(signupMail.subject, /log in/i);

    await server.client.magicLinks.authenticate({
      magic_links_token: tokenFrom(signupMail, "multi_tenant_magic_links"),
    });

    const login = await server.client.magicLinks.email.loginOrSignup({
      organization_id: org.organization_id,
      email_address: email,
    });
    assert.equal(login.member_created, false);
    assert.equal(login.member_id, signup.member_id);
    assert.equal(login.member.status, "active");
    const loginMail = await server.smtp.waitFor(email, { after: 1 });
    assert.match(loginMail.subject, /log in/i);
    assert.equal(mailCount(server, email), 2);
  });

  it("refuses a new address when email_jit_provisioning is NOT_ALLOWED (the default): 403, no member, no email", async () => {
    const id = uniq();
    const { organization } = await server.client.organizations.create({
      organization_name: `No JIT ${id}`,
      organization_slug: `nojit-${id}`,
    });
    assert.equal(organization.email_jit_provisioning, "NOT_ALLOWED");
    const email = `someone-${id}@example.com`;
    await assert.rejects(
      server.client.magicLinks.email.loginOrSignup({
        organization_id: organization.organization_id,
        email_address: email,
      }),
      { error_type: "invalid_email_for_jit_provisioning", status_code: 403 },
    );
    await assert.rejects(
      server.client.organizations.members.get({
        organization_id: organization.organization_id,
        email_address: email,
      }),
      { error_type: "member_not_found", status_code: 404 },
    );
    assert.equal(mailCount(server, email), 0);
  });

  it("refuses a new address whose domain is not in email_allowed_domains: 403, no member, no email", async () => {
    const org = await createOrg(server.client);
    const email = `outsider-${uniq()}@elsewhere.example.org`;
    const error = await server.client.magicLinks.email
      .loginOrSignup({ organization_id: org.organization_id, email_address: email })
      .then(
        () => assert.fail("login_or_signup should have failed"),
        (e: unknown) =>
          e as { error_type: string; status_code: number; error_details?: Record<string, unknown> },
      );
    assert.equal(error.error_type, "invalid_email_for_jit_provisioning");
    assert.equal(error.status_code, 403);
    assert.equal(error.error_details?.email_domain, "elsewhere.example.org");
    await assert.rejects(
      server.client.organizations.members.get({ organization_id: org.organization_id, email_address: email }),
      { error_type: "member_not_found", status_code: 404 },
    );
    assert.equal(mailCount(server, email), 0);
  });

  it("refuses a reused token with 401 unable_to_auth_magic_link", async () => {
    const org = await createOrg(server.client);
    const { token } = await sendLink(org.organization_id, `reuse-${uniq()}@${org.domain}`);
    const first = await server.client.magicLinks.authenticate({ magic_links_token: token });
    assert.equal(first.member.status, "active");
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: token }), {
      error_type: "unable_to_auth_magic_link",
      status_code: 401,
    });
  });

  it("refuses an unknown token with 404 magic_link_not_found", async () => {
    const token = `${randomBytes(32).toString("base64url")}=`;
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: token }), {
      error_type: "magic_link_not_found",
      status_code: 404,
    });
  });

  it("refuses a token past its default 60-minute lifetime with 401", async () => {
    const org = await createOrg(server.client);
    const { token } = await sendLink(org.organization_id, `expire-${uniq()}@${org.domain}`);
    server.clock.advance(61 * MINUTE);
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: token }), {
      error_type: "unable_to_auth_magic_link",
      status_code: 401,
    });
  });

  it("honours login_expiration_minutes and signup_expiration_minutes", async () => {
    const org = await createOrg(server.client);
    const member = await activeMember(server, org);

    // A 5-minute login link is refused after 6 minutes.
    const login = await sendLink(org.organization_id, member.email, { login_expiration_minutes: 5 });
    assert.equal(login.member_created, false);
    server.clock.advance(6 * MINUTE);
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: login.token }), {
      error_type: "unable_to_auth_magic_link",
      status_code: 401,
    });

    // A 5-minute signup link still works after 4 minutes.
    const signup = await sendLink(org.organization_id, `short-${uniq()}@${org.domain}`, {
      signup_expiration_minutes: 5,
    });
    server.clock.advance(4 * MINUTE);
    const ok = await server.client.magicLinks.authenticate({ magic_links_token: signup.token });
    assert.equal(ok.member_id, signup.member_id);
  });

  it("refuses expiration minutes outside 5..10080 with 400 invalid_expiration_minutes, sending nothing", async () => {
    const org = await createOrg(server.client);
    const email = `range-${uniq()}@${org.domain}`;
    for (const extra of [
      { signup_expiration_minutes: 4 },
      { signup_expiration_minutes: 10081 },
      { login_expiration_minutes: 4 },
      { login_expiration_minutes: 10081 },
    ]) {
      await assert.rejects(
        server.client.magicLinks.email.loginOrSignup({
          organization_id: org.organization_id,
          email_address: email,
          ...extra,
        }),
        { error_type: "invalid_expiration_minutes", status_code: 400 },
        JSON.stringify(extra),
      );
    }
    assert.equal(mailCount(server, email), 0);
    // The bounds themselves are accepted.
    const okay = await server.client.magicLinks.email.loginOrSignup({
      organization_id: org.organization_id,
      email_address: email,
      signup_expiration_minutes: 10080,
      login_expiration_minutes: 5,
    });
    assert.equal(okay.status_code, 200);
  });

  it("refuses unregistered redirect URLs with 400 and sends no email", async () => {
    const org = await createOrg(server.client);

    const newEmail = `redirect-${uniq()}@${org.domain}`;
    await assert.rejects(
      server.client.magicLinks.email.loginOrSignup({
        organization_id: org.organization_id,
        email_address: newEmail,
        signup_redirect_url: "https://evil.example.net/authenticate",
      }),
      { error_type: "invalid_signup_redirect_url", status_code: 400 },
    );
    assert.equal(mailCount(server, newEmail), 0);
    await assert.rejects(
      server.client.organizations.members.get({
        organization_id: org.organization_id,
        email_address: newEmail,
      }),
      { error_type: "member_not_found", status_code: 404 },
    );

    const member = await activeMember(server, org);
    const before = mailCount(server, member.email);
    // Differs from the registered default only by its path: still refused (exact match).
    await assert.rejects(
      server.client.magicLinks.email.loginOrSignup({
        organization_id: org.organization_id,
        email_address: member.email,
        login_redirect_url: "http://localhost:3000/authenticate/other",
      }),
      { error_type: "invalid_login_redirect_url", status_code: 400 },
    );
    assert.equal(mailCount(server, member.email), before);
  });

  it("uses a registered non-default redirect URL and keeps its own query string", async () => {
    const redirect = `https://app.example.com/callback?tenant=t-${uniq()}&mode=a`;
    await server.app.services.projects.addRedirectUrl(
      server.project.project_id,
      redirect,
      ["login", "signup"],
      false,
    );
    const org = await createOrg(server.client);
    const email = `custom-${uniq()}@${org.domain}`;
    await server.client.magicLinks.email.loginOrSignup({
      organization_id: org.organization_id,
      email_address: email,
      signup_redirect_url: redirect,
    });
    const mail = await server.smtp.waitFor(email);
    const link = linksOf(mail).find((l) => l.includes("stytch_token_type="));
    assert.ok(link, mail.text);
    assert.ok(link.startsWith(`${redirect}&`), link);
    const url = new URL(link);
    const registered = new URL(redirect);
    assert.equal(url.origin + url.pathname, registered.origin + registered.pathname);
    assert.equal(url.searchParams.get("tenant"), registered.searchParams.get("tenant"));
    assert.equal(url.searchParams.get("mode"), "a");
    assert.equal(url.searchParams.get("slug"), org.organization_slug);
    assert.equal(url.searchParams.get("stytch_token_type"), "multi_tenant_magic_links");
    const auth = await server.client.magicLinks.authenticate({
      magic_links_token: tokenFrom(mail, "multi_tenant_magic_links"),
    });
    assert.equal(auth.member.email_address, email);

    // The default URL is still used when none is named.
    const member = await activeMember(server, org);
    const count = mailCount(server, member.email);
    await server.client.magicLinks.email.loginOrSignup({
      organization_id: org.organization_id,
      email_address: member.email,
    });
    const loginMail = await server.smtp.waitFor(member.email, { after: count });
    assert.ok(linksOf(loginMail)[0]!.startsWith("http://localhost:3000/authenticate?"));
  });

  it("enforces PKCE: no verifier, wrong verifier, then the right one", async () => {
    const org = await createOrg(server.client);
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const { token } = await sendLink(org.organization_id, `pkce-${uniq()}@${org.domain}`, {
      pkce_code_challenge: challenge,
    });

    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: token }), {
      error_type: "pkce_expected_code_verifier",
      status_code: 400,
    });
    await assert.rejects(
      server.client.magicLinks.authenticate({
        magic_links_token: token,
        pkce_code_verifier: randomBytes(32).toString("base64url"),
      }),
      { error_type: "pkce_mismatch", status_code: 400 },
    );
    // Failed PKCE checks do not burn the token.
    const ok = await server.client.magicLinks.authenticate({
      magic_links_token: token,
      pkce_code_verifier: verifier,
    });
    assert.equal(ok.status_code, 200);
    assert.equal(ok.member_authenticated, true);
  });

  it("refuses a verifier for a token issued without a challenge", async () => {
    const org = await createOrg(server.client);
    const { token } = await sendLink(org.organization_id, `nopkce-${uniq()}@${org.domain}`);
    await assert.rejects(
      server.client.magicLinks.authenticate({
        magic_links_token: token,
        pkce_code_verifier: randomBytes(32).toString("base64url"),
      }),
      { error_type: "pkce_did_not_expect_code_verifier", status_code: 400 },
    );
  });

  it("keeps projects apart: project A's token is not found through project B", async () => {
    const other = await server.newProject("Project B");
    const org = await createOrg(server.client);
    const { token } = await sendLink(org.organization_id, `iso-${uniq()}@${org.domain}`);
    await assert.rejects(other.client.magicLinks.authenticate({ magic_links_token: token }), {
      error_type: "magic_link_not_found",
      status_code: 404,
    });
    // B also cannot address A's organization.
    await assert.rejects(
      other.client.magicLinks.email.loginOrSignup({
        organization_id: org.organization_id,
        email_address: `iso-${uniq()}@${org.domain}`,
      }),
      { error_type: "organization_not_found", status_code: 404 },
    );
    // The failed attempt did not consume it in A.
    const ok = await server.client.magicLinks.authenticate({ magic_links_token: token });
    assert.equal(ok.organization_id, org.organization_id);
  });

  it("lets exactly one of 20 concurrent redemptions of a token succeed", async () => {
    const org = await createOrg(server.client);
    const { token, member_id } = await sendLink(org.organization_id, `race-${uniq()}@${org.domain}`);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => server.client.magicLinks.authenticate({ magic_links_token: token })),
    );
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    assert.equal(fulfilled.length, 1);
    assert.equal(rejected.length, 19);
    for (const r of rejected) {
      const reason = r.reason as { error_type?: string; status_code?: number };
      assert.equal(reason.error_type, "unable_to_auth_magic_link", String(r.reason));
      assert.equal(reason.status_code, 401);
    }
    const { member_sessions } = await server.client.sessions.get({
      organization_id: org.organization_id,
      member_id,
    });
    assert.equal(member_sessions.length, 1);
  });

  it("never writes a raw magic-link token (or session token) to the database", async () => {
    const org = await createOrg(server.client);
    const unused = await sendLink(org.organization_id, `raw-${uniq()}@${org.domain}`);
    const used = await sendLink(org.organization_id, `raw-${uniq()}@${org.domain}`);
    const auth = await server.client.magicLinks.authenticate({ magic_links_token: used.token });
    const secrets = [unused.token, used.token, auth.session_token];
    // Each is a real token that the server accepts or accepted: the search below is for live values.
    assert.ok(secrets.every((s) => s.length >= 43));

    if (server.config.database.kind === "sqlite") {
      const path = server.config.database.path;
      const files = [path, `${path}-wal`].filter((f) => existsSync(f));
      assert.ok(files.length >= 1);
      const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
      assert.ok(bytes.length > 0);
      // Sanity check that the search works: the member's (non-secret) email is in the files.
      assert.ok(bytes.includes(Buffer.from(auth.member.email_address)));
      for (const secret of secrets) {
        assert.equal(bytes.includes(Buffer.from(secret)), false, "raw token found in the database files");
        assert.equal(bytes.includes(Buffer.from(secret.replace(/=+$/, ""))), false);
        assert.equal(bytes.includes(Buffer.from(secret, "base64url")), false, "raw token bytes found");
      }
    } else {
      // On PostgreSQL the files are not ours to read; the unused token must still be redeemable exactly once.
      await server.client.magicLinks.authenticate({ magic_links_token: unused.token });
      await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: unused.token }), {
        error_type: "unable_to_auth_magic_link",
        status_code: 401,
      });
    }
  });
});
