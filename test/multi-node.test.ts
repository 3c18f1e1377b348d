import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { B2BClient } from "stytch";
import { ServerKey } from "../src/crypto/server-key.js";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.js";
import { STRONG_PASSWORD, uniq } from "./helpers/fixtures.js";
import { sdkClient } from "./helpers/harness.js";
import { type GatehouseNode, runCli, startNode } from "./helpers/nodes.js";
import { type SmtpCapture, startSmtpCapture, tokenFrom } from "./helpers/smtp.js";

/**
 * Two Gatehouse processes on one database (a shared SQLite file, or one PostgreSQL database when the suite runs
 * on PostgreSQL): nothing may depend on which node answers. Both nodes start at once on an empty database, so
 * their migrations race too.
 */
describe("two nodes on one database", () => {
  let dir: string;
  let db: TestDatabase;
  let smtp: SmtpCapture;
  let a: GatehouseNode;
  let b: GatehouseNode;
  let clientA: B2BClient;
  let clientB: B2BClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-nodes-"));
    db = await createTestDatabase(dir);
    smtp = await startSmtpCapture();
    const env = {
      GATEHOUSE_DATABASE_URL: db.url,
      GATEHOUSE_SECRET_KEY: ServerKey.random().export(),
      GATEHOUSE_SMTP_URL: smtp.url,
      GATEHOUSE_BOOTSTRAP_PROJECT: "false",
      LOG_LEVEL: "warn",
    };
    [a, b] = await Promise.all([startNode(env), startNode(env)]);
    const project = JSON.parse(runCli(["projects", "create", "--name", "shared", "--json"], env)) as {
      project_id: string;
      secret: string;
    };
    clientA = sdkClient(a.url, project);
    clientB = sdkClient(b.url, project);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await smtp?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signUp(org: { organization_id: string }, email: string) {
    await clientA.magicLinks.email.loginOrSignup({
      organization_id: org.organization_id,
      email_address: email,
    });
    return tokenFrom(await smtp.waitFor(email), "multi_tenant_magic_links");
  }

  async function newOrg() {
    const id = uniq();
    const { organization } = await clientA.organizations.create({
      organization_name: `Shared ${id}`,
      organization_slug: `shared-${id}`,
      email_allowed_domains: [`n${id}.example.com`],
      email_jit_provisioning: "RESTRICTED",
    });
    return { organization_id: organization.organization_id, domain: `n${id}.example.com` };
  }

  it("sees the same data, sessions, links and signing keys on both nodes", async () => {
    const org = await newOrg();
    assert.equal(
      (await clientB.organizations.get({ organization_id: org.organization_id })).organization
        .organization_id,
      org.organization_id,
    );

    // A magic link sent by A is redeemed on B; the session works on A; B's JWT verifies with A's JWKS.
    const email = `ada@${org.domain}`;
    const token = await signUp(org, email);
    const auth = await clientB.magicLinks.authenticate({ magic_links_token: token });
    const onA = await clientA.sessions.authenticate({ session_token: auth.session_token });
    assert.equal(onA.member_session.member_session_id, auth.member_session?.member_session_id);
    const local = await clientA.sessions.authenticateJwtLocal({ session_jwt: auth.session_jwt });
    assert.equal(local.member_id, auth.member_id);

    // Checked on B (which keeps that answer for the rest of the second), revoked on A, gone on B at once: on
    // SQLite B sees A's commit through data_version; on PostgreSQL through A's NOTIFY, which A sends as it
    // commits, before it answers.
    await clientB.sessions.authenticate({ session_token: auth.session_token });
    await clientA.sessions.revoke({ session_token: auth.session_token });
    await assert.rejects(clientB.sessions.authenticate({ session_token: auth.session_token }), {
      error_type: "session_not_found",
    });
  });

  it("redeems one magic link exactly once across both nodes", async () => {
    const org = await newOrg();
    const token = await signUp(org, `race@${org.domain}`);
    const attempts = Array.from({ length: 12 }, (_, i) =>
      (i % 2 === 0 ? clientA : clientB).magicLinks.authenticate({ magic_links_token: token }),
    );
    const results = await Promise.allSettled(attempts);
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1, "exactly one redemption succeeds");
    for (const r of results) {
      if (r.status === "rejected")
        assert.equal((r.reason as { error_type: string }).error_type, "unable_to_auth_magic_link");
    }
  });

  it("locks a member on both nodes after failures spread over both", async () => {
    const org = await newOrg();
    const email = `lock@${org.domain}`;
    const auth = await clientA.magicLinks.authenticate({ magic_links_token: await signUp(org, email) });
    await clientB.passwords.sessions.reset({
      organization_id: org.organization_id,
      password: STRONG_PASSWORD,
      session_token: auth.session_token,
    });
    for (let i = 0; i < 10; i++) {
      await assert.rejects(
        (i % 2 === 0 ? clientA : clientB).passwords.authenticate({
          organization_id: org.organization_id,
          email_address: email,
          password: `wrong password ${i}`,
        }),
        { error_type: "unauthorized_credentials" },
      );
    }
    for (const client of [clientA, clientB]) {
      await assert.rejects(
        client.passwords.authenticate({
          organization_id: org.organization_id,
          email_address: email,
          password: STRONG_PASSWORD,
        }),
        { error_type: "user_lock_limit_reached", status_code: 429 },
      );
    }
  });

  it("shares rate limits between nodes", async () => {
    const org = await newOrg();
    const email = `flood@${org.domain}`;
    // The limit is a fixed one-minute window of the nodes' real clocks: six sends that straddle a minute
    // boundary fall into two windows and none is refused. Start early enough in a minute to stay in one.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
    for (let i = 0; i < 5; i++) {
      await (i % 2 === 0 ? clientA : clientB).magicLinks.email.loginOrSignup({
        organization_id: org.organization_id,
        email_address: email,
      });
    }
    await assert.rejects(
      clientB.magicLinks.email.loginOrSignup({ organization_id: org.organization_id, email_address: email }),
      { error_type: "too_many_requests", status_code: 429 },
    );
  });
});
