import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./helpers/harness.js";
import { tokenFrom } from "./helpers/smtp.js";

/**
 * Every step of ../shared/docs/seed-guide.txt, through the official `stytch` SDK against a listening Gatehouse,
 * reading the links from real email delivered over SMTP.
 */
describe("seed guide: B2B passwords flow", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it("runs every step of the guide", async () => {
    const { client, smtp } = server;
    const email = "ada@example.com";
    const password = "24k^&+sJwKN$30Tv";

    // Step 1: the project's default redirect URL is http://localhost:3000/authenticate for every type.
    const urls = await server.app.services.projects.listRedirectUrls(server.project.project_id);
    assert.ok(
      urls.some((u) => u.url === "http://localhost:3000/authenticate" && u.type === "signup" && u.is_default),
    );

    // Step 2: create an organization that lets example.com addresses join.
    const { organization } = await client.organizations.create({
      organization_name: "Example Org Inc.",
      organization_slug: "example-org",
      email_allowed_domains: ["example.com"],
      email_jit_provisioning: "RESTRICTED",
    });
    assert.match(organization.organization_id, /^organization-test-[0-9a-f-]{36}$/);
    assert.equal(organization.organization_slug, "example-org");

    // Step 3: a signup email; the member is created pending.
    const signup = await client.magicLinks.email.loginOrSignup({
      organization_id: organization.organization_id,
      email_address: email,
    });
    assert.equal(signup.member_created, true);
    assert.equal(signup.member.status, "pending");
    assert.equal(signup.status_code, 200);
    const signupEmail = await smtp.waitFor(email);
    assert.match(signupEmail.subject, /sign/i);
    assert.ok(signupEmail.html.includes("<a href="), "the email has an HTML part with the link");
    const link = new URL(signupEmail.text.match(/https?:\/\/\S+/)![0]);
    assert.equal(link.origin + link.pathname, "http://localhost:3000/authenticate");
    assert.equal(link.searchParams.get("slug"), "example-org");
    assert.equal(link.searchParams.get("stytch_token_type"), "multi_tenant_magic_links");
    const token = tokenFrom(signupEmail, "multi_tenant_magic_links");
    assert.match(token, /^[A-Za-z0-9_-]{43}=$/);

    // Step 4: authenticate the magic link: the member becomes active and gets a session.
    const auth = await client.magicLinks.authenticate({
      magic_links_token: token,
      session_duration_minutes: 1440,
    });
    assert.equal(auth.member.status, "active");
    assert.equal(auth.member.email_address_verified, true);
    assert.equal(auth.member_authenticated, true);
    assert.match(auth.session_token, /^[A-Za-z0-9_-]{44}$/);
    assert.equal(auth.session_jwt.split(".").length, 3);
    assert.equal(auth.member_session?.authentication_factors[0]?.type, "magic_link");
    const lifetime =
      Date.parse(auth.member_session!.expires_at) - Date.parse(auth.member_session!.started_at);
    assert.equal(lifetime, 1440 * 60_000);

    // Step 5: set the first password with the fresh session.
    const set = await client.passwords.sessions.reset({
      organization_id: organization.organization_id,
      password,
      session_token: auth.session_token,
    });
    assert.match(set.member.member_password_id, /^member-password-test-/);
    assert.equal(set.session_token, auth.session_token, "the session used for the reset survives it");
    assert.ok(set.session_jwt);

    // Step 6: log in with the password.
    const login = await client.passwords.authenticate({
      organization_id: organization.organization_id,
      email_address: email,
      password,
      session_duration_minutes: 10080,
    });
    assert.equal(login.member_id, auth.member_id);
    assert.deepEqual(
      login.member_session?.authentication_factors.map((f) => [f.type, f.delivery_method]),
      [["password", "knowledge"]],
    );
    const local = await client.sessions.authenticateJwtLocal({ session_jwt: login.session_jwt });
    assert.equal(local.member_id, auth.member_id);
    assert.equal(local.organization_id, organization.organization_id);

    // Step 7: reset the password by email.
    const start = await client.passwords.email.resetStart({
      organization_id: organization.organization_id,
      email_address: email,
      reset_password_expiration_minutes: 10,
    });
    assert.equal(start.member_id, auth.member_id);
    const resetEmail = await smtp.waitFor(email, { after: 1 });
    const resetToken = tokenFrom(resetEmail, "multi_tenant_passwords");
    const newPassword = "a different, long passphrase 2026";
    const reset = await client.passwords.email.reset({
      password_reset_token: resetToken,
      password: newPassword,
    });
    assert.equal(reset.member.member_id, auth.member_id);
    assert.ok(reset.session_token && reset.member_session);

    // After the reset: the earlier sessions are gone, the new password works, the old one does not.
    await assert.rejects(client.sessions.authenticate({ session_token: login.session_token }), {
      error_type: "session_not_found",
      status_code: 404,
    });
    await assert.rejects(
      client.passwords.authenticate({
        organization_id: organization.organization_id,
        email_address: email,
        password,
      }),
      { error_type: "unauthorized_credentials", status_code: 401 },
    );
    const again = await client.passwords.authenticate({
      organization_id: organization.organization_id,
      email_address: email,
      password: newPassword,
    });
    assert.equal(again.member_id, auth.member_id);
  });
});
