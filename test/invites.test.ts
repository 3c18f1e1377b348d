import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { B2BClient } from "stytch";
import { DEFAULT_PROJECT_SETTINGS } from "../src/projects/project.js";
import { activeMember, mailCount, type TestOrg, uniq } from "./helpers/fixtures.js";
import { sdkClient, startTestServer, type TestServer } from "./helpers/harness.js";
import { linksOf, tokenFrom } from "./helpers/smtp.js";

/** magic_links/email/invite: statuses, org policies, redirect URLs, expiry, roles, and member-session RBAC. */

const MINUTE = 60_000;
const WEEK = 7 * 24 * 60 * MINUTE;

describe("invites", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  /** Invites `email` and returns the response and the token from the invite email. */
  async function invite(
    organization_id: string,
    email: string,
    extra: Record<string, unknown> = {},
    client: B2BClient = server.client,
  ) {
    const before = mailCount(server, email);
    const sent = await client.magicLinks.email.invite({ organization_id, email_address: email, ...extra });
    const mail = await server.smtp.waitFor(email, { after: before });
    return { sent, mail, token: tokenFrom(mail, "multi_tenant_magic_links") };
  }

  /** createOrg's organization (its domain may join by JIT) that also allows invites to any address. */
  async function inviteOrg(name = "Org", client: B2BClient = server.client): Promise<TestOrg> {
    const id = uniq();
    const domain = `d${id}.example.com`;
    const { organization } = await client.organizations.create({
      organization_name: `${name} ${id}`,
      organization_slug: `org-${id}`,
      email_allowed_domains: [domain],
      email_jit_provisioning: "RESTRICTED",
      email_invites: "ALL_ALLOWED",
    });
    return {
      organization_id: organization.organization_id,
      organization_slug: organization.organization_slug,
      domain,
    };
  }

  /** An active stytch_admin of `org` with a session (invited with the role, then redeemed). */
  async function admin(org: TestOrg) {
    const email = `admin-${uniq()}@${org.domain}`;
    const { token } = await invite(org.organization_id, email, { roles: ["stytch_admin"] });
    return server.client.magicLinks.authenticate({ magic_links_token: token });
  }

  it("creates an invited member with the given fields and emails a 7-day invite naming the organization", async () => {
    const org = await inviteOrg("Invitees");
    const email = `New.Person-${uniq()}@${org.domain}`;
    const { sent, mail } = await invite(org.organization_id, email, {
      name: "New Person",
      trusted_metadata: { plan: "gold" },
      untrusted_metadata: { theme: "dark" },
      roles: ["stytch_admin"],
    });
    assert.equal(sent.status_code, 200);
    assert.match(sent.request_id, /^request-id-test-/);
    assert.equal(sent.member_id, sent.member.member_id);
    assert.equal(sent.member.status, "invited");
    assert.equal(sent.member.email_address, email.toLowerCase());
    assert.equal(sent.member.email_address_verified, false);
    assert.equal(sent.member.name, "New Person");
    assert.deepEqual(sent.member.trusted_metadata, { plan: "gold" });
    assert.deepEqual(sent.member.untrusted_metadata, { theme: "dark" });
    assert.equal(sent.member.is_admin, true);
    assert.deepEqual(
      sent.member.roles.map((r) => r.role_id),
      ["stytch_member", "stytch_admin"],
    );
    assert.equal(sent.organization.organization_id, org.organization_id);

    assert.match(mail.subject, /invited/i);
    assert.ok(mail.subject.includes(sent.organization.organization_name), mail.subject);
    assert.match(mail.text, /7 days/);
    const link = new URL(linksOf(mail).find((l) => l.includes("stytch_token_type="))!);
    assert.equal(link.origin + link.pathname, "http://localhost:3000/authenticate");
    assert.equal(link.searchParams.get("slug"), org.organization_slug);
    assert.equal(link.searchParams.get("stytch_token_type"), "multi_tenant_magic_links");
    assert.match(link.searchParams.get("token") ?? "", /^[A-Za-z0-9_-]{43}=$/);
  });

  it("authenticating an invite activates the member, verifies its email and starts a session", async () => {
    const org = await inviteOrg();
    const email = `joiner-${uniq()}@${org.domain}`;
    const { sent, token } = await invite(org.organization_id, email, { roles: ["stytch_admin"] });
    const auth = await server.client.magicLinks.authenticate({ magic_links_token: token });
    assert.equal(auth.member_id, sent.member_id);
    assert.equal(auth.member.status, "active");
    assert.equal(auth.member.email_address_verified, true);
    assert.equal(auth.member_authenticated, true);
    assert.deepEqual(auth.member_session?.roles, ["stytch_member", "stytch_admin"]);
    assert.equal(auth.member_session?.authentication_factors[0]?.type, "magic_link");
    // Single use.
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: token }), {
      error_type: "unable_to_auth_magic_link",
      status_code: 401,
    });
  });

  it("invite links expire after 7 days by default, or after invite_expiration_minutes", async () => {
    const org = await inviteOrg();
    const week = await invite(org.organization_id, `week-${uniq()}@${org.domain}`);
    const weekLater = await invite(org.organization_id, `week2-${uniq()}@${org.domain}`);
    const short = await invite(org.organization_id, `short-${uniq()}@${org.domain}`, {
      invite_expiration_minutes: 5,
    });
    assert.match(short.mail.text, /5 minutes/);

    server.clock.advance(6 * MINUTE);
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: short.token }), {
      error_type: "unable_to_auth_magic_link",
      status_code: 401,
    });
    server.clock.advance(WEEK - 7 * MINUTE);
    const ok = await server.client.magicLinks.authenticate({ magic_links_token: week.token });
    assert.equal(ok.member.status, "active");
    server.clock.advance(2 * MINUTE);
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: weekLater.token }), {
      error_type: "unable_to_auth_magic_link",
      status_code: 401,
    });

    for (const minutes of [4, 10_081]) {
      await assert.rejects(
        server.client.magicLinks.email.invite({
          organization_id: org.organization_id,
          email_address: `range-${uniq()}@${org.domain}`,
          invite_expiration_minutes: minutes,
        }),
        { error_type: "invalid_expiration_minutes", status_code: 400 },
      );
    }
  });

  it("moves a pending member to invited, re-sends to an invited one, and refuses an active one", async () => {
    const org = await inviteOrg();
    const email = `pending-${uniq()}@${org.domain}`;
    const signup = await server.client.magicLinks.email.loginOrSignup({
      organization_id: org.organization_id,
      email_address: email,
    });
    assert.equal(signup.member.status, "pending");

    const first = await invite(org.organization_id, email, { name: "Pat" });
    assert.equal(first.sent.member_id, signup.member_id);
    assert.equal(first.sent.member.status, "invited");
    assert.equal(first.sent.member.name, "Pat");

    const again = await invite(org.organization_id, email);
    assert.equal(again.sent.member_id, signup.member_id);
    assert.equal(again.sent.member.status, "invited");
    assert.equal(again.sent.member.name, "Pat", "fields not supplied are kept");
    // Both invites stay valid until used or expired.
    await server.client.magicLinks.authenticate({ magic_links_token: first.token });

    const before = mailCount(server, email);
    await assert.rejects(
      server.client.magicLinks.email.invite({ organization_id: org.organization_id, email_address: email }),
      { error_type: "member_already_active_for_invite", status_code: 400 },
    );
    assert.equal(mailCount(server, email), before, "no email to an active member");
  });

  it("invites a deleted member's address again as a new member", async () => {
    const org = await inviteOrg();
    const email = `gone-${uniq()}@${org.domain}`;
    const first = await invite(org.organization_id, email);
    await server.client.organizations.members.delete({
      organization_id: org.organization_id,
      member_id: first.sent.member_id,
    });
    // The deleted member's invite link no longer works.
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: first.token }), {
      error_type: "unable_to_auth_magic_link",
      status_code: 401,
    });
    const again = await invite(org.organization_id, email);
    assert.notEqual(again.sent.member_id, first.sent.member_id);
    assert.equal(again.sent.member.status, "invited");
    const auth = await server.client.magicLinks.authenticate({ magic_links_token: again.token });
    assert.equal(auth.member_id, again.sent.member_id);
  });

  it("enforces the organization's email_invites policy", async () => {
    const id = uniq();
    const domain = `inv${id}.example.com`;
    const { organization: closed } = await server.client.organizations.create({
      organization_name: `Closed ${id}`,
      organization_slug: `closed-${id}`,
      email_invites: "NOT_ALLOWED",
    });
    await assert.rejects(
      server.client.magicLinks.email.invite({
        organization_id: closed.organization_id,
        email_address: `a@${domain}`,
      }),
      { error_type: "email_invites_not_allowed", status_code: 403 },
    );

    const { organization: restricted } = await server.client.organizations.create({
      organization_name: `Restricted ${id}`,
      organization_slug: `restricted-${id}`,
      email_invites: "RESTRICTED",
      email_allowed_domains: [domain],
    });
    await assert.rejects(
      server.client.magicLinks.email.invite({
        organization_id: restricted.organization_id,
        email_address: `b@other${id}.example.com`,
      }),
      (err: { error_type: string; status_code: number; error_details?: Record<string, unknown> }) => {
        assert.equal(err.error_type, "invalid_email_for_invites");
        assert.equal(err.status_code, 403);
        assert.equal(err.error_details?.email_domain, `other${id}.example.com`);
        return true;
      },
    );
    assert.equal(mailCount(server, `b@other${id}.example.com`), 0);
    const { sent } = await invite(restricted.organization_id, `c@${domain}`);
    assert.equal(sent.member.status, "invited");
  });

  it("refuses an invite when the organization does not allow magic links", async () => {
    const id = uniq();
    const { organization } = await server.client.organizations.create({
      organization_name: `Passwords only ${id}`,
      organization_slug: `pwonly-${id}`,
      email_invites: "ALL_ALLOWED",
      auth_methods: "RESTRICTED",
      allowed_auth_methods: ["password"],
    });
    await assert.rejects(
      server.client.magicLinks.email.invite({
        organization_id: organization.organization_id,
        email_address: `x-${id}@example.com`,
      }),
      { error_type: "operation_restricted_by_organization_auth_methods", status_code: 403 },
    );
  });

  it("accepts the organization's slug, refuses unknown organizations, roles and inviters", async () => {
    const org = await inviteOrg();
    const bySlug = await invite(org.organization_slug, `slug-${uniq()}@${org.domain}`);
    assert.equal(bySlug.sent.organization.organization_id, org.organization_id);

    await assert.rejects(
      server.client.magicLinks.email.invite({
        organization_id: `organization-test-${crypto.randomUUID()}`,
        email_address: `x-${uniq()}@${org.domain}`,
      }),
      { error_type: "organization_not_found", status_code: 404 },
    );
    await assert.rejects(
      server.client.magicLinks.email.invite({
        organization_id: org.organization_id,
        email_address: `x-${uniq()}@${org.domain}`,
        roles: ["owner"],
      }),
      { error_type: "invalid_role", status_code: 400 },
    );
    await assert.rejects(
      server.client.magicLinks.email.invite({
        organization_id: org.organization_id,
        email_address: "not an email",
      }),
      { error_type: "invalid_email", status_code: 400 },
    );
    await assert.rejects(
      server.client.magicLinks.email.invite({
        organization_id: org.organization_id,
        email_address: `x-${uniq()}@${org.domain}`,
        invited_by_member_id: `member-test-${crypto.randomUUID()}`,
      }),
      { error_type: "member_not_found", status_code: 404 },
    );

    const inviter = await activeMember(server, org);
    const named = await invite(org.organization_id, `named-${uniq()}@${org.domain}`, {
      invited_by_member_id: inviter.member_id,
    });
    assert.ok(named.mail.text.includes(inviter.email), named.mail.text);
  });

  it("checks invite_redirect_url against the project's invite URLs", async () => {
    const org = await inviteOrg();
    await assert.rejects(
      server.client.magicLinks.email.invite({
        organization_id: org.organization_id,
        email_address: `r-${uniq()}@${org.domain}`,
        invite_redirect_url: "https://evil.example.com/authenticate",
      }),
      { error_type: "invalid_invite_redirect_url", status_code: 400 },
    );
    const redirect = `https://app.example.com/invite?t=${uniq()}`;
    await server.app.services.projects.addRedirectUrl(server.project.project_id, redirect, ["invite"], false);
    const { mail } = await invite(org.organization_id, `r2-${uniq()}@${org.domain}`, {
      invite_redirect_url: redirect,
    });
    assert.ok(linksOf(mail).some((l) => l.startsWith(`${redirect}&slug=`)));

    // A URL registered for another type only is not an invite URL.
    const loginOnly = `https://app.example.com/login-${uniq()}`;
    await server.app.services.projects.addRedirectUrl(server.project.project_id, loginOnly, ["login"], false);
    await assert.rejects(
      server.client.magicLinks.email.invite({
        organization_id: org.organization_id,
        email_address: `r3-${uniq()}@${org.domain}`,
        invite_redirect_url: loginOnly,
      }),
      { error_type: "invalid_invite_redirect_url", status_code: 400 },
    );
  });

  it("refuses an invite without URL when the project has no default invite URL", async () => {
    // A project stored without any redirect URL (the service always registers the defaults).
    const projectId = `project-test-${crypto.randomUUID()}`;
    await server.store.projects.insertProject({
      project_id: projectId,
      name: "No URLs",
      environment: "test",
      public_token: `public-token-test-${crypto.randomUUID()}`,
      settings: DEFAULT_PROJECT_SETTINGS,
      created_at: server.clock.now(),
    });
    const secret = await server.app.services.projects.createSecret(projectId);
    const client = sdkClient(server.url, { project_id: projectId, secret });
    const org = await inviteOrg("No URLs", client);
    await assert.rejects(
      client.magicLinks.email.invite({
        organization_id: org.organization_id,
        email_address: `n-${uniq()}@${org.domain}`,
      }),
      { error_type: "no_invite_redirect_urls_set", status_code: 400 },
    );
  });

  it("with a member session: an admin may invite, a plain member may not, another org's admin may not", async () => {
    const org = await inviteOrg();
    const boss = await admin(org);
    const viaAdmin = await server.client.magicLinks.email.invite(
      { organization_id: org.organization_id, email_address: `by-admin-${uniq()}@${org.domain}` },
      { authorization: { session_token: boss.session_token } },
    );
    assert.equal(viaAdmin.member.status, "invited");
    const viaJwt = await server.client.magicLinks.email.invite(
      { organization_id: org.organization_slug, email_address: `by-jwt-${uniq()}@${org.domain}` },
      { authorization: { session_jwt: boss.session_jwt } },
    );
    assert.equal(viaJwt.member.status, "invited");

    const plain = await activeMember(server, org);
    const email = `by-member-${uniq()}@${org.domain}`;
    await assert.rejects(
      server.client.magicLinks.email.invite(
        { organization_id: org.organization_id, email_address: email },
        { authorization: { session_token: plain.session_token } },
      ),
      { error_type: "session_authorization_error", status_code: 403 },
    );
    assert.equal(mailCount(server, email), 0);

    const otherOrg = await inviteOrg();
    const otherAdmin = await admin(otherOrg);
    await assert.rejects(
      server.client.magicLinks.email.invite(
        { organization_id: org.organization_id, email_address: email },
        { authorization: { session_token: otherAdmin.session_token } },
      ),
      { error_type: "session_authorization_tenancy_error", status_code: 403 },
    );
    await assert.rejects(
      server.client.magicLinks.email.invite(
        { organization_id: org.organization_id, email_address: email },
        { authorization: { session_token: "not-a-real-session-token-aaaaaaaaaaaaaaaaaa" } },
      ),
      { error_type: "session_not_found", status_code: 404 },
    );
  });

  it("keeps invites inside their project", async () => {
    const org = await inviteOrg();
    const { token } = await invite(org.organization_id, `iso-${uniq()}@${org.domain}`);
    const other = await server.newProject("Project B");
    await assert.rejects(
      other.client.magicLinks.email.invite({
        organization_id: org.organization_id,
        email_address: `iso2-${uniq()}@${org.domain}`,
      }),
      { error_type: "organization_not_found", status_code: 404 },
    );
    await assert.rejects(other.client.magicLinks.authenticate({ magic_links_token: token }), {
      error_type: "magic_link_not_found",
      status_code: 404,
    });
  });
});
