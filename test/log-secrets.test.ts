import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createOrg, STRONG_PASSWORD, uniq } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";
import { tokenFrom } from "./helpers/smtp.js";

/**
 * Secrets never reach the logs (SES-7, ATK-33): the project secret, passwords, session tokens, JWTs and
 * emailed tokens are absent from every log line of a full flow, failures included, at debug level.
 */
describe("logs", () => {
  const lines: string[] = [];
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ logLines: lines });
  });
  after(() => server.stop());

  it("contain no secret, password or token after a whole flow with failures", async () => {
    const { client, smtp } = server;
    const org = await createOrg(client);
    const email = `log${uniq()}@${org.domain}`;
    await client.magicLinks.email.loginOrSignup({
      organization_id: org.organization_id,
      email_address: email,
    });
    const magicToken = tokenFrom(await smtp.waitFor(email), "multi_tenant_magic_links");
    const auth = await client.magicLinks.authenticate({ magic_links_token: magicToken });
    await client.passwords.sessions.reset({
      organization_id: org.organization_id,
      password: STRONG_PASSWORD,
      session_token: auth.session_token,
    });
    const wrong = "a wrong password that is long";
    await assert.rejects(
      client.passwords.authenticate({
        organization_id: org.organization_id,
        email_address: email,
        password: wrong,
      }),
    );
    const login = await client.passwords.authenticate({
      organization_id: org.organization_id,
      email_address: email,
      password: STRONG_PASSWORD,
    });
    await client.passwords.email.resetStart({ organization_id: org.organization_id, email_address: email });
    const resetToken = tokenFrom(await smtp.waitFor(email, { after: 1 }), "multi_tenant_passwords");
    await assert.rejects(client.magicLinks.authenticate({ magic_links_token: magicToken }));
    await assert.rejects(
      server
        .fetch("/v1/b2b/organizations/x", {
          auth: `Basic ${Buffer.from(`${server.project.project_id}:bad-secret-value`).toString("base64")}`,
        })
        .then((r) => (r.status === 401 ? Promise.reject(new Error("401")) : r)),
    );

    assert.ok(lines.length > 10, "the server logged the requests");
    const log = lines.join("");
    const secrets = {
      projectSecret: server.project.secret,
      password: STRONG_PASSWORD,
      wrongPassword: wrong,
      badSecret: "bad-secret-value",
      magicToken,
      resetToken,
      sessionToken: auth.session_token,
      loginToken: login.session_token,
      jwtSignature: login.session_jwt.split(".")[2] ?? "",
    };
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(value.length > 8, name);
      assert.equal(log.includes(value), false, `${name} appears in the logs`);
    }
  });
});
