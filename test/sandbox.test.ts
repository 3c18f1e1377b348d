import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { B2BClient } from "stytch";
import { mailCount } from "./helpers/fixtures.js";
import { sdkClient, startTestServer, type TestServer } from "./helpers/harness.js";

/**
 * The test-environment sandbox values (docs/stytch-b2b-api.md §3.8): documented inputs with fixed answers in
 * test projects, backed by a real sandbox organization, member and sessions; live projects have no sandbox.
 */

const SANDBOX_ORG = "organization-test-007d9d4a-deac-4a87-ba0a-e6e8afba4d4b";
const SANDBOX_EMAIL = "sandbox@stytch.com";
const TOKENS = {
  success: "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=",
  used: "3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU=",
  notFound: "CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM=",
};

describe("sandbox values", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it("login_or_signup with sandbox@stytch.com on the sandbox org: 200, a real sandbox member, no email", async () => {
    const res = await server.client.magicLinks.email.loginOrSignup({
      organization_id: SANDBOX_ORG,
      email_address: "Sandbox@Stytch.com",
    });
    assert.equal(res.status_code, 200);
    assert.equal(res.organization.organization_id, SANDBOX_ORG);
    assert.equal(res.member.email_address, SANDBOX_EMAIL);
    assert.equal(res.member.status, "active");
    assert.match(res.member_id, /^member-test-/);
    const again = await server.client.magicLinks.email.loginOrSignup({
      organization_id: SANDBOX_ORG,
      email_address: SANDBOX_EMAIL,
    });
    assert.equal(again.member_id, res.member_id);
    assert.equal(again.member_created, false);
    // The rows are real: the ordinary organization and member routes see them.
    const org = await server.client.organizations.get({ organization_id: SANDBOX_ORG });
    assert.equal(org.organization.organization_id, SANDBOX_ORG);
    const member = await server.client.organizations.members.get({
      organization_id: SANDBOX_ORG,
      email_address: SANDBOX_EMAIL,
    });
    assert.equal(member.member_id, res.member_id);
    assert.equal(mailCount(server, SANDBOX_EMAIL), 0);
  });

  it("invite with the sandbox values: 200, no email", async () => {
    const res = await server.client.magicLinks.email.invite({
      organization_id: SANDBOX_ORG,
      email_address: SANDBOX_EMAIL,
    });
    assert.equal(res.status_code, 200);
    assert.equal(res.member.email_address, SANDBOX_EMAIL);
    assert.equal(res.organization.organization_id, SANDBOX_ORG);
    assert.equal(mailCount(server, SANDBOX_EMAIL), 0);
  });

  it("discovery send to sandbox@stytch.com: 200, no email", async () => {
    const res = await server.client.magicLinks.email.discovery.send({ email_address: SANDBOX_EMAIL });
    assert.equal(res.status_code, 200);
    assert.equal(mailCount(server, SANDBOX_EMAIL), 0);
  });

  it("authenticates the success token (repeatedly) into a real session of the sandbox member", async () => {
    const first = await server.client.magicLinks.authenticate({ magic_links_token: TOKENS.success });
    assert.equal(first.member.email_address, SANDBOX_EMAIL);
    assert.equal(first.organization_id, SANDBOX_ORG);
    assert.equal(first.member_session?.authentication_factors[0]?.type, "magic_link");
    const checked = await server.client.sessions.authenticate({ session_token: first.session_token });
    assert.equal(checked.member_session.member_session_id, first.member_session?.member_session_id);
    const local = await server.client.sessions.authenticateJwtLocal({
      session_jwt: first.session_jwt,
      current_date: new Date(server.clock.now()),
    });
    assert.equal(local.organization_id, SANDBOX_ORG);

    const second = await server.client.magicLinks.authenticate({ magic_links_token: TOKENS.success });
    assert.equal(second.member_id, first.member_id);
    assert.notEqual(second.session_token, first.session_token);
    await server.client.sessions.revoke({ session_token: second.session_token });
    await assert.rejects(server.client.sessions.authenticate({ session_token: second.session_token }), {
      error_type: "session_not_found",
    });
  });

  it("answers the used token with 401 and the not-found token with 404", async () => {
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: TOKENS.used }), {
      error_type: "unable_to_auth_magic_link",
      status_code: 401,
    });
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: TOKENS.notFound }), {
      error_type: "magic_link_not_found",
      status_code: 404,
    });
  });

  it("gives a second test project its own sandbox, found by the documented id", async () => {
    const { client } = await server.newProject("Second test project");
    const res = await client.magicLinks.email.loginOrSignup({
      organization_id: SANDBOX_ORG,
      email_address: SANDBOX_EMAIL,
    });
    // Organization ids are unique server-wide: the documented id belongs to the first project's sandbox.
    assert.notEqual(res.organization.organization_id, SANDBOX_ORG);
    assert.equal(res.organization.organization_slug, SANDBOX_ORG);
    const auth = await client.magicLinks.authenticate({ magic_links_token: TOKENS.success });
    assert.equal(auth.organization_id, res.organization.organization_id);
    assert.equal(auth.member_id, res.member_id);
    await assert.rejects(server.client.sessions.authenticate({ session_token: auth.session_token }), {
      error_type: "session_not_found",
    });
  });

  describe("in a live project", () => {
    let live: B2BClient;
    before(async () => {
      const credentials = await server.app.services.projects.create({ name: "Live", environment: "live" });
      live = sdkClient(server.url, credentials);
    });

    it("has no sandbox organization and no sandbox tokens", async () => {
      await assert.rejects(
        live.magicLinks.email.loginOrSignup({ organization_id: SANDBOX_ORG, email_address: SANDBOX_EMAIL }),
        { error_type: "organization_not_found", status_code: 404 },
      );
      await assert.rejects(
        live.magicLinks.email.invite({ organization_id: SANDBOX_ORG, email_address: SANDBOX_EMAIL }),
        {
          error_type: "organization_not_found",
        },
      );
      for (const token of Object.values(TOKENS)) {
        await assert.rejects(live.magicLinks.authenticate({ magic_links_token: token }), {
          error_type: "magic_link_not_found",
          status_code: 404,
        });
      }
    });

    it("sends a real discovery email to sandbox@stytch.com", async () => {
      const before = mailCount(server, SANDBOX_EMAIL);
      await live.magicLinks.email.discovery.send({ email_address: SANDBOX_EMAIL });
      await server.smtp.waitFor(SANDBOX_EMAIL, { after: before });
      assert.equal(mailCount(server, SANDBOX_EMAIL), before + 1);
    });
  });
});
