import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  activeMember,
  createOrg,
  decodeJwt,
  mailCount,
  memberWithPassword,
  type TestOrg,
  uniq,
} from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";

/**
 * Sessions beyond the seed flow: sessions/exchange (switching organization), authorization_check on
 * sessions/authenticate (checklist item 55), and sessions/revoke with member-session authorization headers.
 */

describe("sessions (advanced)", () => {
  let server: TestServer;
  let org: TestOrg;
  before(async () => {
    server = await startTestServer();
    org = await createOrg(server.client, "Sessions advanced");
  });
  after(() => server.stop());

  /** An admin of `o` (imported with the stytch_admin role) logged in by password. */
  async function admin(o: TestOrg) {
    const email = `admin-${uniq()}@${o.domain}`;
    const password = `Admin ${uniq()} lighthouse`;
    await server.client.passwords.migrate({
      organization_id: o.organization_id,
      email_address: email,
      hash: createHash("md5").update(password).digest("hex"),
      hash_type: "md_5",
      roles: ["stytch_admin"],
    });
    return server.client.passwords.authenticate({
      organization_id: o.organization_id,
      email_address: email,
      password,
    });
  }

  /** A second organization that lets `o`'s domain join, so the same address can be a member of both. */
  async function sibling(o: TestOrg): Promise<TestOrg> {
    const id = uniq();
    const { organization } = await server.client.organizations.create({
      organization_name: `Sibling ${id}`,
      organization_slug: `sib-${id}`,
      email_allowed_domains: [o.domain],
      email_jit_provisioning: "RESTRICTED",
    });
    return {
      organization_id: organization.organization_id,
      organization_slug: `sib-${id}`,
      domain: o.domain,
    };
  }

  describe("exchange", () => {
    it("moves a magic-link session into another org of the same email, activating a pending member", async () => {
      const person = await activeMember(server, org);
      const other = await sibling(org);
      const before = mailCount(server, person.email);
      const signup = await server.client.magicLinks.email.loginOrSignup({
        organization_id: other.organization_id,
        email_address: person.email,
      });
      await server.smtp.waitFor(person.email, { after: before });
      assert.equal(signup.member.status, "pending");

      const exchanged = await server.client.sessions.exchange({
        organization_id: other.organization_slug,
        session_token: person.session_token,
        session_custom_claims: { tenant: "b" },
      });
      assert.equal(exchanged.member_authenticated, true);
      assert.equal(exchanged.organization.organization_id, other.organization_id);
      assert.equal(exchanged.member_id, signup.member_id);
      assert.equal(exchanged.member.status, "active");
      assert.equal(exchanged.member.email_address_verified, true);
      assert.equal(exchanged.intermediate_session_token, "");
      const session = exchanged.member_session!;
      assert.equal(session.organization_id, other.organization_id);
      assert.deepEqual(
        session.authentication_factors.map((f) => [f.type, f.delivery_method]),
        [["magic_link", "email"]],
      );
      assert.deepEqual(session.custom_claims, { tenant: "b" });
      const claims = decodeJwt(exchanged.session_jwt).payload;
      assert.equal(claims.sub, signup.member_id);
      assert.deepEqual(claims["https://stytch.com/organization"], {
        organization_id: other.organization_id,
        slug: other.organization_slug,
      });
      // Both sessions stay valid, each in its own organization.
      const a = await server.client.sessions.authenticate({ session_token: person.session_token });
      const b = await server.client.sessions.authenticate({ session_token: exchanged.session_token });
      assert.equal(a.organization.organization_id, org.organization_id);
      assert.equal(b.organization.organization_id, other.organization_id);
    });

    it("carries only the email factor of a session that also holds a password, and accepts a JWT", async () => {
      const person = await memberWithPassword(server, org);
      const both = await server.client.passwords.authenticate({
        organization_id: org.organization_id,
        email_address: person.email,
        password: person.password,
        session_token: person.session_token,
      });
      assert.equal(both.member_session?.authentication_factors.length, 2);
      const other = await sibling(org);
      await server.client.passwords.migrate({
        organization_id: other.organization_id,
        email_address: person.email,
        hash: createHash("sha1").update("irrelevant").digest("hex"),
        hash_type: "sha_1",
      });
      const exchanged = await server.client.sessions.exchange({
        organization_id: other.organization_id,
        session_jwt: both.session_jwt,
      });
      assert.deepEqual(
        exchanged.member_session?.authentication_factors.map((f) => f.type),
        ["magic_link"],
      );
    });

    it("refuses a password-only session with 400 insufficient_factors_for_session_exchange", async () => {
      const person = await memberWithPassword(server, org);
      const byPassword = await server.client.passwords.authenticate({
        organization_id: org.organization_id,
        email_address: person.email,
        password: person.password,
      });
      const other = await sibling(org);
      await server.client.magicLinks.email.loginOrSignup({
        organization_id: other.organization_id,
        email_address: person.email,
      });
      await assert.rejects(
        server.client.sessions.exchange({
          organization_id: other.organization_id,
          session_token: byPassword.session_token,
        }),
        { error_type: "insufficient_factors_for_session_exchange", status_code: 400 },
      );
    });

    it("refuses when the target organization does not allow magic links", async () => {
      const person = await activeMember(server, org);
      const id = uniq();
      const { organization } = await server.client.organizations.create({
        organization_name: `Passwords only ${id}`,
        organization_slug: `pw-only-${id}`,
        auth_methods: "RESTRICTED",
        allowed_auth_methods: ["password"],
      });
      await server.client.passwords.migrate({
        organization_id: organization.organization_id,
        email_address: person.email,
        hash: createHash("md5").update("x").digest("hex"),
        hash_type: "md_5",
      });
      await assert.rejects(
        server.client.sessions.exchange({
          organization_id: organization.organization_id,
          session_token: person.session_token,
        }),
        { error_type: "insufficient_factors_for_session_exchange", status_code: 400 },
      );
    });

    it("refuses an org without that member (404), an unknown org (404) and an unknown session (404)", async () => {
      const person = await activeMember(server, org);
      const stranger = await createOrg(server.client, "Stranger");
      await assert.rejects(
        server.client.sessions.exchange({
          organization_id: stranger.organization_id,
          session_token: person.session_token,
        }),
        { error_type: "member_does_not_exist_in_organization", status_code: 404 },
      );
      await assert.rejects(
        server.client.sessions.exchange({
          organization_id: `nope-${uniq()}`,
          session_token: person.session_token,
        }),
        { error_type: "organization_not_found", status_code: 404 },
      );
      await assert.rejects(
        server.client.sessions.exchange({
          organization_id: stranger.organization_id,
          session_token: "A".repeat(44),
        }),
        { error_type: "session_not_found", status_code: 404 },
      );
      await assert.rejects(server.client.sessions.exchange({ organization_id: stranger.organization_id }), {
        error_type: "no_session_arguments",
        status_code: 400,
      });
    });
  });

  describe("authenticate with authorization_check", () => {
    it("adds a verdict with the granting roles when the session's roles allow the action", async () => {
      const boss = await admin(org);
      const ok = await server.client.sessions.authenticate({
        session_token: boss.session_token,
        authorization_check: {
          organization_id: org.organization_id,
          resource_id: "stytch.member",
          action: "create",
        },
      });
      assert.deepEqual(ok.verdict, { authorized: true, granting_roles: ["stytch_admin"] });
      const member = await activeMember(server, org);
      const self = await server.client.sessions.authenticate({
        session_jwt: member.session_jwt,
        authorization_check: {
          organization_id: org.organization_slug,
          resource_id: "stytch.self",
          action: "update.info.name",
        },
      });
      assert.deepEqual(self.verdict, { authorized: true, granting_roles: ["stytch_member"] });
      const none = await server.client.sessions.authenticate({ session_token: member.session_token });
      assert.equal(none.verdict, undefined);
    });

    it("refuses a missing permission (403) and another organization (403 tenancy), leaving the session as is", async () => {
      const member = await activeMember(server, org);
      const before = await server.client.sessions.authenticate({ session_token: member.session_token });
      server.clock.advance(1000);
      await assert.rejects(
        server.client.sessions.authenticate({
          session_token: member.session_token,
          session_duration_minutes: 600,
          authorization_check: {
            organization_id: org.organization_id,
            resource_id: "stytch.member",
            action: "delete",
          },
        }),
        { error_type: "session_authorization_error", status_code: 403 },
      );
      const other = await createOrg(server.client, "Other tenant");
      await assert.rejects(
        server.client.sessions.authenticate({
          session_token: member.session_token,
          authorization_check: {
            organization_id: other.organization_id,
            resource_id: "stytch.self",
            action: "update.info.name",
          },
        }),
        { error_type: "session_authorization_tenancy_error", status_code: 403 },
      );
      const afterwards = await server.client.sessions.get({
        organization_id: org.organization_id,
        member_id: member.member_id,
      });
      const stored = afterwards.member_sessions.find((s) => s.member_session_id === member.member_session_id);
      assert.equal(stored?.expires_at, before.member_session.expires_at);
      assert.equal(stored?.last_accessed_at, before.member_session.last_accessed_at);
    });

    it("refuses an incomplete authorization_check with 400 invalid_authorization_check", async () => {
      const member = await activeMember(server, org);
      const res = await server.fetch("/v1/b2b/sessions/authenticate", {
        method: "POST",
        body: JSON.stringify({
          session_token: member.session_token,
          authorization_check: { organization_id: org.organization_id, resource_id: "stytch.self" },
        }),
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error_type: string }).error_type, "invalid_authorization_check");
    });
  });

  describe("revoke with member-session headers", () => {
    it("lets a member revoke its own sessions, by token header or JWT header", async () => {
      const member = await memberWithPassword(server, org);
      const second = await server.client.passwords.authenticate({
        organization_id: org.organization_id,
        email_address: member.email,
        password: member.password,
      });
      await server.client.sessions.revoke(
        { member_session_id: member.member_session_id },
        { authorization: { session_jwt: second.session_jwt } },
      );
      await assert.rejects(server.client.sessions.authenticate({ session_token: member.session_token }), {
        error_type: "session_not_found",
      });
      await server.client.sessions.authenticate({ session_token: second.session_token });
      await server.client.sessions.revoke(
        { member_id: member.member_id },
        { authorization: { session_token: second.session_token } },
      );
      await assert.rejects(server.client.sessions.authenticate({ session_token: second.session_token }), {
        error_type: "session_not_found",
      });
    });

    it("refuses a member revoking another member's sessions (403); an admin of the org may", async () => {
      const victim = await activeMember(server, org);
      const peer = await activeMember(server, org);
      await assert.rejects(
        server.client.sessions.revoke(
          { member_id: victim.member_id },
          { authorization: { session_token: peer.session_token } },
        ),
        { error_type: "session_authorization_error", status_code: 403 },
      );
      await assert.rejects(
        server.client.sessions.revoke(
          { session_token: victim.session_token },
          { authorization: { session_jwt: peer.session_jwt } },
        ),
        { error_type: "session_authorization_error", status_code: 403 },
      );
      await server.client.sessions.authenticate({ session_token: victim.session_token });

      const boss = await admin(org);
      await server.client.sessions.revoke(
        { member_id: victim.member_id },
        { authorization: { session_token: boss.session_token } },
      );
      await assert.rejects(server.client.sessions.authenticate({ session_token: victim.session_token }), {
        error_type: "session_not_found",
      });
    });

    it("refuses an admin of another organization with 403 tenancy, and a bad header with 404", async () => {
      const victim = await activeMember(server, org);
      const otherOrg = await createOrg(server.client, "Foreign admin");
      const foreign = await admin(otherOrg);
      await assert.rejects(
        server.client.sessions.revoke(
          { member_session_id: victim.member_session_id },
          { authorization: { session_token: foreign.session_token } },
        ),
        { error_type: "session_authorization_tenancy_error", status_code: 403 },
      );
      await assert.rejects(
        server.client.sessions.revoke(
          { member_id: victim.member_id },
          { authorization: { session_token: "B".repeat(44) } },
        ),
        { error_type: "session_not_found", status_code: 404 },
      );
      await server.client.sessions.authenticate({ session_token: victim.session_token });
    });
  });
});
