import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { B2BClient } from "stytch";
import { sweepExpired } from "../src/storage/janitor.js";
import { activeMember, createOrg, mailCount, uniq } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";
import { linksOf, tokenFrom } from "./helpers/smtp.js";

/**
 * Discovery: discovery magic links, intermediate session tokens (ISTs), listing the organizations of an
 * address, creating an organization from an IST, and exchanging an IST for a member session.
 */

const MINUTE = 60_000;

describe("discovery", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  /** Sends a discovery link to `email` and returns the send response and the link's token. */
  async function send(email: string, extra: Record<string, unknown> = {}, client: B2BClient = server.client) {
    const before = mailCount(server, email);
    const sent = await client.magicLinks.email.discovery.send({ email_address: email, ...extra });
    const mail = await server.smtp.waitFor(email, { after: before });
    return { sent, mail, token: tokenFrom(mail, "discovery") };
  }

  /** Proves `email` by a discovery link: the discovery/authenticate response. */
  async function discover(email: string, client: B2BClient = server.client) {
    const { token } = await send(email, {}, client);
    return client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token });
  }

  /** An organization with the given settings (a unique slug). */
  async function org(settings: Record<string, unknown> = {}, client: B2BClient = server.client) {
    const id = uniq();
    const { organization } = await client.organizations.create({
      organization_name: `Disc ${id}`,
      organization_slug: `disc-${id}`,
      ...settings,
    });
    return organization;
  }

  it("sends a discovery link with no slug to any address and answers with the envelope only", async () => {
    const email = `Nobody-${uniq()}@example.com`;
    const { sent, mail, token } = await send(email);
    assert.deepEqual(Object.keys(sent).sort(), ["request_id", "status_code"]);
    assert.equal(sent.status_code, 200);
    assert.match(mail.subject, /Test project/);
    const link = new URL(linksOf(mail).find((l) => l.includes("stytch_token_type="))!);
    assert.equal(link.origin + link.pathname, "http://localhost:3000/authenticate");
    assert.equal(link.searchParams.get("slug"), null);
    assert.equal(link.searchParams.get("stytch_token_type"), "discovery");
    assert.match(token, /^[A-Za-z0-9_-]{43}=$/);
    assert.ok(linksOf(mail)[0]!.endsWith(`?stytch_token_type=discovery&token=${token}`));

    const auth = await server.client.magicLinks.discovery.authenticate({
      discovery_magic_links_token: token,
    });
    assert.equal(auth.email_address, email.toLowerCase());
    assert.deepEqual(auth.discovered_organizations, []);
    assert.match(auth.intermediate_session_token, /^[A-Za-z0-9_-]{44}$/);
    assert.equal(
      auth.intermediate_session_token_expires_at,
      new Date(server.clock.now() + 10 * MINUTE).toISOString().replace(/\.\d{3}Z$/, "Z"),
    );
  });

  it("discovers active, pending and invited memberships and organizations joinable by email domain", async () => {
    const domain = `shared${uniq()}.example.com`;
    const email = `ada-${uniq()}@${domain}`;
    const jit = {
      email_allowed_domains: [domain],
      email_jit_provisioning: "RESTRICTED",
      email_invites: "ALL_ALLOWED",
    };
    const activeOrg = await org(jit);
    const pendingOrg = await org(jit);
    const invitedOrg = await org(jit);
    const eligibleOrg = await org(jit);
    const closedOrg = await org({ email_allowed_domains: [domain], email_jit_provisioning: "NOT_ALLOWED" });
    await org(); // unrelated
    const passwordOnly = await org({ auth_methods: "RESTRICTED", allowed_auth_methods: ["password"] });

    const local = email.slice(0, email.indexOf("@"));
    const active = await activeMember(
      server,
      { organization_id: activeOrg.organization_id, organization_slug: activeOrg.organization_slug, domain },
      { local },
    );
    assert.equal(active.email, email);
    const pending = await server.client.magicLinks.email.loginOrSignup({
      organization_id: pendingOrg.organization_id,
      email_address: email,
    });
    const invited = await server.client.magicLinks.email.invite({
      organization_id: invitedOrg.organization_id,
      email_address: email,
    });
    const restricted = await server.client.organizations.members.create({
      organization_id: passwordOnly.organization_id,
      email_address: email,
    });

    const auth = await discover(email);
    assert.equal(auth.email_address, email);
    const byOrg = new Map(auth.discovered_organizations.map((d) => [d.organization?.organization_id, d]));
    assert.equal(auth.discovered_organizations.length, 5, JSON.stringify([...byOrg.keys()]));
    assert.ok(!byOrg.has(closedOrg.organization_id), "JIT NOT_ALLOWED is not offered");

    const a = byOrg.get(activeOrg.organization_id)!;
    assert.equal(a.membership?.type, "active_member");
    assert.equal(a.membership?.member?.member_id, active.member_id);
    assert.equal(a.membership?.details, null);
    assert.equal(a.member_authenticated, true);
    assert.equal(a.primary_required, null);
    assert.equal(a.mfa_required, null);
    assert.equal(a.organization?.organization_slug, activeOrg.organization_slug);

    const p = byOrg.get(pendingOrg.organization_id)!;
    assert.equal(p.membership?.type, "pending_member");
    assert.equal(p.membership?.member?.member_id, pending.member_id);
    assert.equal(p.member_authenticated, false);

    const i = byOrg.get(invitedOrg.organization_id)!;
    assert.equal(i.membership?.type, "invited_member");
    assert.equal(i.membership?.member?.member_id, invited.member_id);
    assert.equal(i.member_authenticated, false);

    const e = byOrg.get(eligibleOrg.organization_id)!;
    assert.equal(e.membership?.type, "eligible_to_join_by_email_domain");
    assert.equal(e.membership?.member, null);
    assert.deepEqual(e.membership?.details, { domain });
    assert.equal(e.member_authenticated, false);
    assert.equal(e.primary_required, null);

    const r = byOrg.get(passwordOnly.organization_id)!;
    assert.equal(r.membership?.type, "active_member");
    assert.equal(r.membership?.member?.member_id, restricted.member_id);
    assert.equal(r.member_authenticated, false, "a magic link does not satisfy a password-only organization");
    assert.deepEqual(r.primary_required, { allowed_auth_methods: ["password"] });

    // Listing with the IST gives the same and consumes nothing.
    for (let n = 0; n < 2; n++) {
      const listed = await server.client.discovery.organizations.list({
        intermediate_session_token: auth.intermediate_session_token,
      });
      assert.equal(listed.email_address, email);
      assert.deepEqual(listed.discovered_organizations, auth.discovered_organizations);
    }

    // With the member's session: memberships only, and the session's own organization is authenticated.
    for (const credential of [{ session_token: active.session_token }, { session_jwt: active.session_jwt }]) {
      const bySession = await server.client.discovery.organizations.list(credential);
      assert.equal(bySession.email_address, email);
      const types = new Map(
        bySession.discovered_organizations.map((d) => [d.organization?.organization_id, d.membership?.type]),
      );
      assert.deepEqual([...types.values()].sort(), [
        "active_member",
        "active_member",
        "invited_member",
        "pending_member",
      ]);
      assert.ok(!types.has(eligibleOrg.organization_id));
      const own = bySession.discovered_organizations.find(
        (d) => d.organization?.organization_id === activeOrg.organization_id,
      );
      assert.equal(own?.member_authenticated, true);
    }
  });

  it("redeems a discovery link once, within its lifetime, and only as a discovery link", async () => {
    const email = `once-${uniq()}@example.com`;
    const { token } = await send(email);
    await server.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token });
    await assert.rejects(
      server.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token }),
      { error_type: "unable_to_auth_magic_link", status_code: 401 },
    );
    await assert.rejects(
      server.client.magicLinks.discovery.authenticate({
        discovery_magic_links_token: `${randomBytes(32).toString("base64url")}=`,
      }),
      { error_type: "magic_link_not_found", status_code: 404 },
    );

    // A discovery token is not an organization magic link, and the reverse.
    const other = await send(`kind-${uniq()}@example.com`);
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: other.token }), {
      error_type: "magic_link_not_found",
      status_code: 404,
    });
    const target = await createOrg(server.client);
    const email2 = `login-${uniq()}@${target.domain}`;
    await server.client.magicLinks.email.loginOrSignup({
      organization_id: target.organization_id,
      email_address: email2,
    });
    const orgToken = tokenFrom(await server.smtp.waitFor(email2), "multi_tenant_magic_links");
    await assert.rejects(
      server.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: orgToken }),
      { error_type: "magic_link_not_found", status_code: 404 },
    );
    // The discovery link is still good after being tried as the wrong kind.
    const ok = await server.client.magicLinks.discovery.authenticate({
      discovery_magic_links_token: other.token,
    });
    assert.equal(ok.status_code, 200);

    // 60 minutes by default; discovery_expiration_minutes changes it (5…10080).
    const late = await send(`late-${uniq()}@example.com`);
    const short = await send(`short-${uniq()}@example.com`, { discovery_expiration_minutes: 5 });
    server.clock.advance(6 * MINUTE);
    await assert.rejects(
      server.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: short.token }),
      { error_type: "unable_to_auth_magic_link", status_code: 401 },
    );
    server.clock.advance(55 * MINUTE);
    await assert.rejects(
      server.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: late.token }),
      { error_type: "unable_to_auth_magic_link", status_code: 401 },
    );
    for (const minutes of [4, 10_081]) {
      await assert.rejects(
        server.client.magicLinks.email.discovery.send({
          email_address: `range-${uniq()}@example.com`,
          discovery_expiration_minutes: minutes,
        }),
        { error_type: "invalid_expiration_minutes", status_code: 400 },
      );
    }
    await assert.rejects(server.client.magicLinks.email.discovery.send({ email_address: "nope" }), {
      error_type: "invalid_email",
      status_code: 400,
    });
  });

  it("checks discovery_redirect_url and PKCE", async () => {
    await assert.rejects(
      server.client.magicLinks.email.discovery.send({
        email_address: `r-${uniq()}@example.com`,
        discovery_redirect_url: "https://evil.example.com/authenticate",
      }),
      { error_type: "invalid_discovery_redirect_url", status_code: 400 },
    );
    const redirect = `https://app.example.com/discover?x=${uniq()}`;
    await server.app.services.projects.addRedirectUrl(
      server.project.project_id,
      redirect,
      ["discovery"],
      false,
    );
    const custom = await send(`r2-${uniq()}@example.com`, { discovery_redirect_url: redirect });
    assert.ok(linksOf(custom.mail)[0]!.startsWith(`${redirect}&stytch_token_type=discovery&token=`));

    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const { token } = await send(`pkce-${uniq()}@example.com`, { pkce_code_challenge: challenge });
    await assert.rejects(
      server.client.magicLinks.discovery.authenticate({ discovery_magic_links_token: token }),
      { error_type: "pkce_expected_code_verifier", status_code: 400 },
    );
    await assert.rejects(
      server.client.magicLinks.discovery.authenticate({
        discovery_magic_links_token: token,
        pkce_code_verifier: randomBytes(32).toString("base64url"),
      }),
      { error_type: "pkce_mismatch", status_code: 400 },
    );
    const ok = await server.client.magicLinks.discovery.authenticate({
      discovery_magic_links_token: token,
      pkce_code_verifier: verifier,
    });
    assert.equal(ok.status_code, 200);
    const plain = await send(`nopkce-${uniq()}@example.com`);
    await assert.rejects(
      server.client.magicLinks.discovery.authenticate({
        discovery_magic_links_token: plain.token,
        pkce_code_verifier: verifier,
      }),
      { error_type: "pkce_did_not_expect_code_verifier", status_code: 400 },
    );
  });

  it("lists with exactly one credential", async () => {
    const auth = await discover(`args-${uniq()}@example.com`);
    const target = await createOrg(server.client);
    const member = await activeMember(server, target);
    await assert.rejects(server.client.discovery.organizations.list({}), {
      error_type: "too_many_discovery_arguments",
      status_code: 400,
    });
    await assert.rejects(
      server.client.discovery.organizations.list({
        intermediate_session_token: auth.intermediate_session_token,
        session_token: member.session_token,
      }),
      { error_type: "too_many_discovery_arguments", status_code: 400 },
    );
    await assert.rejects(
      server.client.discovery.organizations.list({ intermediate_session_token: "x".repeat(44) }),
      { error_type: "intermediate_session_not_found", status_code: 404 },
    );
    await assert.rejects(server.client.discovery.organizations.list({ session_token: "y".repeat(44) }), {
      error_type: "session_not_found",
      status_code: 404,
    });
  });

  it("expires an IST after 10 minutes and keeps it inside its project", async () => {
    const target = await createOrg(server.client);
    const email = `ttl-${uniq()}@${target.domain}`;
    const auth = await discover(email);
    const other = await server.newProject("Project B");
    await assert.rejects(
      other.client.discovery.organizations.list({
        intermediate_session_token: auth.intermediate_session_token,
      }),
      { error_type: "intermediate_session_not_found", status_code: 404 },
    );
    await assert.rejects(
      other.client.discovery.intermediateSessions.exchange({
        intermediate_session_token: auth.intermediate_session_token,
        organization_id: target.organization_id,
      }),
      { error_type: "organization_not_found", status_code: 404 },
    );
    const otherOrg = await createOrg(other.client);
    await assert.rejects(
      other.client.discovery.intermediateSessions.exchange({
        intermediate_session_token: auth.intermediate_session_token,
        organization_id: otherOrg.organization_id,
      }),
      { error_type: "intermediate_session_not_found", status_code: 404 },
    );

    server.clock.advance(9 * MINUTE + 59_000);
    const listed = await server.client.discovery.organizations.list({
      intermediate_session_token: auth.intermediate_session_token,
    });
    assert.equal(listed.email_address, email);
    server.clock.advance(1_000);
    await assert.rejects(
      server.client.discovery.organizations.list({
        intermediate_session_token: auth.intermediate_session_token,
      }),
      { error_type: "intermediate_session_not_found", status_code: 404 },
    );
    await assert.rejects(
      server.client.discovery.intermediateSessions.exchange({
        intermediate_session_token: auth.intermediate_session_token,
        organization_id: target.organization_id,
      }),
      { error_type: "intermediate_session_not_found", status_code: 404 },
    );
    await assert.rejects(
      server.client.discovery.organizations.create({
        intermediate_session_token: auth.intermediate_session_token,
        organization_name: "Too late",
      }),
      { error_type: "intermediate_session_not_found", status_code: 404 },
    );
    // The janitor deletes expired ISTs: the row is gone (at time 0 it would otherwise still be usable).
    const hash = createHash("sha256").update(auth.intermediate_session_token).digest("hex");
    const row = () => server.store.discovery.findIntermediateSession(server.project.project_id, hash, 0);
    assert.notEqual(await row(), null);
    assert.ok((await sweepExpired(server.store, server.clock)).tokens >= 1);
    assert.equal(await row(), null);
  });
});
