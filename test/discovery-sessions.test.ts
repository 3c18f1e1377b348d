import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { activeMember, mailCount, uniq } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";
import { tokenFrom } from "./helpers/smtp.js";

/**
 * From an intermediate session to a member session: discovery/organizations/create and
 * discovery/intermediate_sessions/exchange, their single use, and what a failure leaves behind.
 */

const MINUTE = 60_000;

describe("discovery: create and exchange", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  /** An IST for `email`, through a discovery magic link. */
  async function ist(email: string): Promise<string> {
    const before = mailCount(server, email);
    await server.client.magicLinks.email.discovery.send({ email_address: email });
    const token = tokenFrom(await server.smtp.waitFor(email, { after: before }), "discovery");
    const auth = await server.client.magicLinks.discovery.authenticate({
      discovery_magic_links_token: token,
    });
    return auth.intermediate_session_token;
  }

  async function org(settings: Record<string, unknown> = {}) {
    const id = uniq();
    const { organization } = await server.client.organizations.create({
      organization_name: `Target ${id}`,
      organization_slug: `target-${id}`,
      ...settings,
    });
    return organization;
  }

  /** The IST still works: it lists the address's organizations. */
  async function assertUsable(token: string): Promise<void> {
    const listed = await server.client.discovery.organizations.list({ intermediate_session_token: token });
    assert.equal(listed.status_code, 200);
  }

  async function assertConsumed(token: string): Promise<void> {
    await assert.rejects(server.client.discovery.organizations.list({ intermediate_session_token: token }), {
      error_type: "intermediate_session_not_found",
      status_code: 404,
    });
  }

  it("creates an organization whose creator is an active, verified stytch_admin with a session", async () => {
    const id = uniq();
    const domain = `founders${id}.example.com`;
    const email = `founder@${domain}`;
    const token = await ist(email);
    const created = await server.client.discovery.organizations.create({
      intermediate_session_token: token,
      organization_name: `Founded ${id}`,
      organization_slug: `founded-${id}`,
      email_allowed_domains: [domain],
      email_jit_provisioning: "RESTRICTED",
      email_invites: "ALL_ALLOWED",
      session_duration_minutes: 30,
      session_custom_claims: { team: "core" },
    });
    assert.equal(created.status_code, 200);
    assert.equal(created.organization.organization_name, `Founded ${id}`);
    assert.equal(created.organization.organization_slug, `founded-${id}`);
    assert.deepEqual(created.organization.email_allowed_domains, [domain]);
    assert.equal(created.organization.email_jit_provisioning, "RESTRICTED");
    assert.equal(created.member_id, created.member.member_id);
    assert.equal(created.member.email_address, email);
    assert.equal(created.member.status, "active");
    assert.equal(created.member.email_address_verified, true);
    assert.equal(created.member.is_admin, true);
    assert.equal(created.member_authenticated, true);
    assert.equal(created.intermediate_session_token, "");
    assert.equal(created.mfa_required, null);
    assert.ok(created.session_token.length > 0 && created.session_jwt.length > 0);
    const session = created.member_session!;
    assert.deepEqual(session.roles, ["stytch_member", "stytch_admin"]);
    assert.deepEqual(session.custom_claims, { team: "core" });
    assert.equal(Date.parse(session.expires_at) - Date.parse(session.started_at), 30 * MINUTE);
    assert.equal(session.authentication_factors.length, 1);
    assert.equal(session.authentication_factors[0]?.type, "magic_link");
    assert.equal(session.authentication_factors[0]?.delivery_method, "email");
    assert.equal(session.authentication_factors[0]?.email_factor?.email_address, email);
    assert.match(session.authentication_factors[0]?.email_factor?.email_id ?? "", /^member-email-test-/);

    const authed = await server.client.sessions.authenticate({ session_token: created.session_token });
    assert.equal(authed.member.member_id, created.member_id);

    // The IST is spent.
    await assertConsumed(token);
    await assert.rejects(
      server.client.discovery.organizations.create({
        intermediate_session_token: token,
        organization_name: "Again",
      }),
      { error_type: "intermediate_session_not_found", status_code: 404 },
    );

    // The creator, as an admin, may invite with its session.
    const invited = await server.client.magicLinks.email.invite(
      { organization_id: created.organization.organization_id, email_address: `colleague@${domain}` },
      { authorization: { session_token: created.session_token } },
    );
    assert.equal(invited.member.status, "invited");
  });

  it("derives the name and slug from the address when none is given", async () => {
    const id = uniq();
    const domain = `acme${id}.example.com`;
    const first = await server.client.discovery.organizations.create({
      intermediate_session_token: await ist(`one@${domain}`),
    });
    assert.equal(first.organization.organization_name, domain);
    assert.equal(first.organization.organization_slug, domain);

    const second = await server.client.discovery.organizations.create({
      intermediate_session_token: await ist(`two@${domain}`),
    });
    assert.equal(second.organization.organization_name, domain);
    assert.match(
      second.organization.organization_slug,
      new RegExp(`^${domain.replace(/\./g, "\\.")}-[0-9a-f]{8}$`),
    );

    // Public mailbox providers and .edu name the person, not an organization.
    const personal = await server.client.discovery.organizations.create({
      intermediate_session_token: await ist(`First.Last+${id}@gmail.com`),
    });
    assert.equal(personal.organization.organization_name, `first.last+${id}`);
    assert.equal(personal.organization.organization_slug, `first.last-${id}`);
    const student = await server.client.discovery.organizations.create({
      intermediate_session_token: await ist(`stu${id}@uni.edu`),
    });
    assert.equal(student.organization.organization_name, `stu${id}`);
  });

  it("leaves the IST usable and no organization behind when create fails", async () => {
    const id = uniq();
    const taken = await org();
    const token = await ist(`fail-${id}@example.com`);
    await assert.rejects(
      server.client.discovery.organizations.create({
        intermediate_session_token: token,
        organization_name: "Dup",
        organization_slug: taken.organization_slug,
      }),
      { error_type: "organization_slug_already_used", status_code: 400 },
    );
    await assert.rejects(
      server.client.discovery.organizations.create({
        intermediate_session_token: token,
        organization_name: "MFA",
        organization_slug: `mfa-${id}`,
        mfa_policy: "REQUIRED_FOR_ALL",
      }),
      { error_type: "invalid_organization_settings", status_code: 400 },
    );
    await assert.rejects(
      server.client.discovery.organizations.create({
        intermediate_session_token: token,
        organization_name: "Passwords",
        organization_slug: `pw-${id}`,
        auth_methods: "RESTRICTED",
        allowed_auth_methods: ["password"],
      }),
      { error_type: "operation_restricted_by_organization_auth_methods", status_code: 403 },
    );
    await assert.rejects(
      server.client.discovery.organizations.create({
        intermediate_session_token: token,
        organization_name: "Short",
        organization_slug: `short-${id}`,
        session_duration_minutes: 1,
      }),
      { error_type: "invalid_session_duration_minutes", status_code: 400 },
    );
    for (const slug of [`mfa-${id}`, `pw-${id}`, `short-${id}`]) {
      await assert.rejects(server.client.organizations.get({ organization_id: slug }), {
        error_type: "organization_not_found",
      });
    }
    await assertUsable(token);
    const ok = await server.client.discovery.organizations.create({
      intermediate_session_token: token,
      organization_name: "Finally",
      organization_slug: `finally-${id}`,
    });
    assert.equal(ok.organization.organization_slug, `finally-${id}`);
  });

  it("exchanges into an organization where the address is an active member", async () => {
    const target = await org({
      email_allowed_domains: [`x${uniq()}.example.com`],
      email_jit_provisioning: "RESTRICTED",
    });
    const domain = target.email_allowed_domains[0]!;
    const member = await activeMember(server, {
      organization_id: target.organization_id,
      organization_slug: target.organization_slug,
      domain,
    });
    const token = await ist(member.email);
    const exchanged = await server.client.discovery.intermediateSessions.exchange({
      intermediate_session_token: token,
      organization_id: target.organization_slug,
      session_duration_minutes: 120,
      session_custom_claims: { via: "discovery" },
    });
    assert.equal(exchanged.member_id, member.member_id);
    assert.equal(exchanged.organization.organization_id, target.organization_id);
    assert.equal(exchanged.member_authenticated, true);
    assert.notEqual(exchanged.member_session?.member_session_id, member.member_session_id);
    assert.deepEqual(exchanged.member_session?.custom_claims, { via: "discovery" });
    assert.equal(
      Date.parse(exchanged.member_session!.expires_at) - Date.parse(exchanged.member_session!.started_at),
      120 * MINUTE,
    );
    assert.equal(exchanged.member_session?.authentication_factors[0]?.type, "magic_link");
    assert.equal(
      exchanged.member_session?.authentication_factors[0]?.email_factor?.email_address,
      member.email,
    );
    await assertConsumed(token);
    await assert.rejects(
      server.client.discovery.intermediateSessions.exchange({
        intermediate_session_token: token,
        organization_id: target.organization_id,
      }),
      { error_type: "intermediate_session_not_found", status_code: 404 },
    );
  });

  it("accepts an invite, activates a pending member, and JIT-provisions an eligible address", async () => {
    const domain = `join${uniq()}.example.com`;
    const settings = {
      email_allowed_domains: [domain],
      email_jit_provisioning: "RESTRICTED",
      email_invites: "ALL_ALLOWED",
    };
    const invitingOrg = await org(settings);
    const pendingOrg = await org(settings);
    const jitOrg = await org(settings);
    const email = `newbie@${domain}`;
    const invite = await server.client.magicLinks.email.invite({
      organization_id: invitingOrg.organization_id,
      email_address: email,
    });
    const signup = await server.client.magicLinks.email.loginOrSignup({
      organization_id: pendingOrg.organization_id,
      email_address: email,
    });

    const accepted = await server.client.discovery.intermediateSessions.exchange({
      intermediate_session_token: await ist(email),
      organization_id: invitingOrg.organization_id,
    });
    assert.equal(accepted.member_id, invite.member_id);
    assert.equal(accepted.member.status, "active");
    assert.equal(accepted.member.email_address_verified, true);

    const activated = await server.client.discovery.intermediateSessions.exchange({
      intermediate_session_token: await ist(email),
      organization_id: pendingOrg.organization_id,
    });
    assert.equal(activated.member_id, signup.member_id);
    assert.equal(activated.member.status, "active");

    const joined = await server.client.discovery.intermediateSessions.exchange({
      intermediate_session_token: await ist(email),
      organization_id: jitOrg.organization_id,
    });
    assert.equal(joined.member.email_address, email);
    assert.equal(joined.member.status, "active");
    assert.equal(joined.member.email_address_verified, true);
    assert.equal(joined.member.is_admin, false);
    assert.deepEqual(joined.member_session?.roles, ["stytch_member"]);
    const fetched = await server.client.organizations.members.get({
      organization_id: jitOrg.organization_id,
      email_address: email,
    });
    assert.equal(fetched.member.member_id, joined.member_id);
  });

  it("refuses organizations the address cannot enter, leaving the IST usable", async () => {
    const domain = `nope${uniq()}.example.com`;
    const email = `outsider@${domain}`;
    const token = await ist(email);
    const closed = await org({ email_allowed_domains: [domain], email_jit_provisioning: "NOT_ALLOWED" });
    const otherDomain = await org({
      email_allowed_domains: [`other${uniq()}.example.com`],
      email_jit_provisioning: "RESTRICTED",
    });
    for (const target of [closed, otherDomain]) {
      await assert.rejects(
        server.client.discovery.intermediateSessions.exchange({
          intermediate_session_token: token,
          organization_id: target.organization_id,
        }),
        { error_type: "invalid_intermediate_session_token_for_organization", status_code: 400 },
      );
    }
    const passwordOnly = await org({ auth_methods: "RESTRICTED", allowed_auth_methods: ["password"] });
    await server.client.organizations.members.create({
      organization_id: passwordOnly.organization_id,
      email_address: email,
    });
    await assert.rejects(
      server.client.discovery.intermediateSessions.exchange({
        intermediate_session_token: token,
        organization_id: passwordOnly.organization_id,
      }),
      { error_type: "operation_restricted_by_organization_auth_methods", status_code: 403 },
    );
    await assert.rejects(
      server.client.discovery.intermediateSessions.exchange({
        intermediate_session_token: token,
        organization_id: `organization-test-${crypto.randomUUID()}`,
      }),
      { error_type: "organization_not_found", status_code: 404 },
    );
    const open = await org({ email_allowed_domains: [domain], email_jit_provisioning: "RESTRICTED" });
    await assert.rejects(
      server.client.discovery.intermediateSessions.exchange({
        intermediate_session_token: token,
        organization_id: open.organization_id,
        session_duration_minutes: 527_041,
      }),
      { error_type: "invalid_session_duration_minutes", status_code: 400 },
    );
    await assertUsable(token);
    const ok = await server.client.discovery.intermediateSessions.exchange({
      intermediate_session_token: token,
      organization_id: open.organization_id,
    });
    assert.equal(ok.member.email_address, email);
  });

  it("does not let a deleted member back in through discovery", async () => {
    const domain = `removed${uniq()}.example.com`;
    const target = await org({ email_allowed_domains: [domain], email_jit_provisioning: "RESTRICTED" });
    const member = await activeMember(server, {
      organization_id: target.organization_id,
      organization_slug: target.organization_slug,
      domain,
    });
    await server.client.organizations.members.delete({
      organization_id: target.organization_id,
      member_id: member.member_id,
    });
    const token = await ist(member.email);
    const listed = await server.client.discovery.organizations.list({ intermediate_session_token: token });
    assert.ok(
      !listed.discovered_organizations.some(
        (d) => d.organization?.organization_id === target.organization_id,
      ),
      "neither a membership nor eligible by domain",
    );
    await assert.rejects(
      server.client.discovery.intermediateSessions.exchange({
        intermediate_session_token: token,
        organization_id: target.organization_id,
      }),
      { error_type: "inactive_member", status_code: 400 },
    );
    await assertUsable(token);
  });

  it("lets exactly one of two concurrent exchanges of one IST succeed", async () => {
    const domain = `race${uniq()}.example.com`;
    const a = await org({ email_allowed_domains: [domain], email_jit_provisioning: "RESTRICTED" });
    const b = await org({ email_allowed_domains: [domain], email_jit_provisioning: "RESTRICTED" });
    const token = await ist(`racer@${domain}`);
    const results = await Promise.allSettled(
      [a, b].map((o) =>
        server.client.discovery.intermediateSessions.exchange({
          intermediate_session_token: token,
          organization_id: o.organization_id,
        }),
      ),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    const failure = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    assert.equal((failure.reason as { error_type: string }).error_type, "intermediate_session_not_found");
  });
});
