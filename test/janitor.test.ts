import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sweepExpired } from "../src/storage/janitor.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";
import { tokenFrom } from "./helpers/smtp.js";

describe("janitor", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it("deletes expired sessions and long-expired tokens, and keeps live ones", async () => {
    const { client, smtp, clock, store } = server;
    const { organization } = await client.organizations.create({
      organization_name: "Sweep",
      organization_slug: "sweep",
      email_allowed_domains: ["sweep.example"],
      email_jit_provisioning: "RESTRICTED",
    });
    const email = "old@sweep.example";
    await client.magicLinks.email.loginOrSignup({
      organization_id: organization.organization_id,
      email_address: email,
    });
    const token = tokenFrom(await smtp.waitFor(email), "multi_tenant_magic_links");
    const auth = await client.magicLinks.authenticate({
      magic_links_token: token,
      session_duration_minutes: 5,
    });

    assert.deepEqual(await sweepExpired(store, clock), { sessions: 0, tokens: 0, counters: 0 });
    clock.advance(6 * 60_000);
    const swept = await sweepExpired(store, clock);
    assert.equal(swept.sessions, 1);
    assert.equal(swept.tokens, 0, "a used token stays a day past its expiry");
    await assert.rejects(client.sessions.authenticate({ session_token: auth.session_token }), {
      error_type: "session_not_found",
    });
    clock.advance(25 * 60 * 60_000);
    const later = await sweepExpired(store, clock);
    assert.equal(later.tokens, 1);
    assert.equal(later.counters, 1, "the per-recipient email counter of yesterday is gone");
    // A swept token now reads as unknown.
    await assert.rejects(client.magicLinks.authenticate({ magic_links_token: token }), {
      error_type: "magic_link_not_found",
    });
  });
});
