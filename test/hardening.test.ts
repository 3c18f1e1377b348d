import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../src/config/load.js";
import { ServerKey } from "../src/crypto/server-key.js";
import { startServer } from "../src/server.js";
import { createOrg, memberWithPassword } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";

describe("hardening", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it("throttles reset-start probes for unknown addresses like real sends (no free enumeration)", async () => {
    const org = await createOrg(server.client);
    const organization_id = org.organization_id;
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        server.client.passwords.email.resetStart({
          organization_id,
          email_address: "nobody@nowhere.example",
        }),
        { error_type: "member_not_found", status_code: 404 },
      );
    }
    await assert.rejects(
      server.client.passwords.email.resetStart({ organization_id, email_address: "nobody@nowhere.example" }),
      { error_type: "too_many_requests", status_code: 429 },
    );
  });

  it("refuses an over-long login password as a wrong password, without hashing it", async () => {
    const org = await createOrg(server.client);
    const member = await memberWithPassword(server, org);
    await assert.rejects(
      server.client.passwords.authenticate({
        organization_id: org.organization_id,
        email_address: member.email,
        password: "x".repeat(100_000),
      }),
      { error_type: "unauthorized_credentials", status_code: 401 },
    );
  });

  it("refuses mfa_policy REQUIRED_FOR_ALL with a message saying MFA is not offered", async () => {
    await assert.rejects(
      server.client.organizations.create({
        organization_name: "Strict",
        organization_slug: "strict-mfa",
        mfa_policy: "REQUIRED_FOR_ALL",
      }),
      (error: { error_type: string; error_message: string; status_code: number }) =>
        error.error_type === "invalid_organization_settings" &&
        error.status_code === 400 &&
        /no MFA/.test(error.error_message),
    );
  });
});

describe("server key", () => {
  it("refuses to start with a key that does not open the database's signing keys", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-key-"));
    try {
      const env = { GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, "g.db")}`, PORT: "0", LOG_LEVEL: "silent" };
      const first = await startServer(loadConfig(env));
      await first.stop();
      // The key file is replaced, as after a lost data directory.
      writeFileSync(join(dir, "gatehouse.key"), `${ServerKey.random().export()}\n`);
      await assert.rejects(startServer(loadConfig(env)), (error: Error) =>
        /GATEHOUSE_SECRET_KEY.*does not open/.test(error.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
