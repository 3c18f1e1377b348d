import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { B2BClient } from "stytch";
import {
  activeMember,
  createOrg,
  mailCount,
  memberWithPassword,
  STRONG_PASSWORD,
  type TestOrg,
  uniq,
} from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";
import { tokenFrom } from "./helpers/smtp.js";

/**
 * Passwords beyond the seed flow: existing_password/reset, the LUDS policy as a project setting, and PKCE on
 * the email reset (passwords/migrate is in passwords-migrate.test.ts).
 */

describe("passwords (advanced)", () => {
  let server: TestServer;
  let org: TestOrg;
  before(async () => {
    server = await startTestServer();
    org = await createOrg(server.client, "Passwords advanced");
  });
  after(() => server.stop());

  const login = (email: string, password: string, client: B2BClient = server.client, o: TestOrg = org) =>
    client.passwords.authenticate({ organization_id: o.organization_id, email_address: email, password });

  const resetExisting = (email: string, existing: string, next: string) =>
    server.client.passwords.existingPassword.reset({
      organization_id: org.organization_id,
      email_address: email,
      existing_password: existing,
      new_password: next,
    });

  describe("existing_password/reset", () => {
    it("sets the new password, revokes every prior session and starts a password session", async () => {
      const member = await memberWithPassword(server, org);
      const second = await login(member.email, member.password);
      const next = `Tz8!${uniq()}-quill-orbit`;
      const reset = await resetExisting(member.email, member.password, next);
      assert.equal(reset.member_id, member.member_id);
      assert.equal(reset.member_authenticated, true);
      assert.deepEqual(
        reset.member_session?.authentication_factors.map((f) => [f.type, f.delivery_method]),
        [["password", "knowledge"]],
      );
      for (const token of [member.session_token, second.session_token]) {
        await assert.rejects(server.client.sessions.authenticate({ session_token: token }), {
          error_type: "session_not_found",
          status_code: 404,
        });
      }
      await server.client.sessions.authenticate({ session_token: reset.session_token });
      await assert.rejects(login(member.email, member.password), { error_type: "unauthorized_credentials" });
      assert.equal((await login(member.email, next)).member_id, member.member_id);
    });

    it("refuses a wrong existing password with 401, counting toward the lock (429 once locked)", async () => {
      const member = await memberWithPassword(server, org);
      for (let i = 0; i < 10; i++) {
        await assert.rejects(
          resetExisting(member.email, `wrong-${i}-${uniq()}`, `Nw9!${uniq()}-fresh-kite`),
          {
            error_type: "unauthorized_credentials",
            status_code: 401,
          },
        );
      }
      await assert.rejects(resetExisting(member.email, member.password, `Nw9!${uniq()}-fresh-kite`), {
        error_type: "user_lock_limit_reached",
        status_code: 429,
      });
      await assert.rejects(login(member.email, member.password), { error_type: "user_lock_limit_reached" });
    });

    it("refuses the same password (400) and a weak one (400 weak_password), keeping the old one", async () => {
      const member = await memberWithPassword(server, org);
      await assert.rejects(resetExisting(member.email, member.password, member.password), {
        error_type: "cannot_reset_password_with_existing_password",
        status_code: 400,
      });
      await assert.rejects(resetExisting(member.email, member.password, "password1234"), {
        error_type: "weak_password",
        status_code: 400,
      });
      assert.equal((await login(member.email, member.password)).member_id, member.member_id);
    });

    it("answers an unknown email like a wrong password, and an unknown organization with 404", async () => {
      await assert.rejects(
        resetExisting(`ghost-${uniq()}@${org.domain}`, STRONG_PASSWORD, `Gh0!${uniq()}-x-y`),
        {
          error_type: "unauthorized_credentials",
          status_code: 401,
        },
      );
      await assert.rejects(
        server.client.passwords.existingPassword.reset({
          organization_id: `no-such-org-${uniq()}`,
          email_address: `a@${org.domain}`,
          existing_password: STRONG_PASSWORD,
          new_password: `Gh0!${uniq()}-x-y`,
        }),
        { error_type: "organization_not_found", status_code: 404 },
      );
    });
  });

  describe("LUDS policy as a project setting", () => {
    it("switches a project to LUDS: strength_check, session reset and existing-password reset follow it", async () => {
      const other = await server.newProject("LUDS project");
      const luds = other.client;
      await assert.rejects(
        server.app.services.projects.updateSettings(other.credentials.project_id, {
          password_policy: { strength_policy: "luds", luds_min_password_length: 7 },
        }),
        { type: "invalid_request_value" },
      );
      for (const bad of [
        { luds_min_password_length: 33 },
        { luds_min_password_complexity: 0 },
        { luds_min_password_complexity: 5 },
      ]) {
        await assert.rejects(
          server.app.services.projects.updateSettings(other.credentials.project_id, { password_policy: bad }),
          { type: "invalid_request_value" },
        );
      }
      await server.app.services.projects.updateSettings(other.credentials.project_id, {
        password_policy: {
          strength_policy: "luds",
          luds_min_password_length: 10,
          luds_min_password_complexity: 3,
        },
      });

      const short = await luds.passwords.strengthCheck({ password: "abcdefgh" });
      assert.equal(short.strength_policy, "luds");
      assert.equal(short.valid_password, false);
      assert.equal(short.luds_feedback?.missing_characters, 2);
      assert.equal(short.luds_feedback?.missing_complexity, 2);
      const passphrase = "correct horse battery staple"; // strong for zxcvbn, only 2 LUDS classes
      assert.equal(
        (await server.client.passwords.strengthCheck({ password: passphrase })).valid_password,
        true,
      );
      assert.equal((await luds.passwords.strengthCheck({ password: passphrase })).valid_password, false);
      const ludsOk = "Aa1!aaaaaa"; // weak for zxcvbn, meets length 10 and 3 classes
      assert.equal((await server.client.passwords.strengthCheck({ password: ludsOk })).valid_password, false);
      assert.equal((await luds.passwords.strengthCheck({ password: ludsOk })).valid_password, true);

      const ludsOrg = await createOrg(luds, "LUDS");
      const member = await activeMember(server, ludsOrg, { client: luds });
      await assert.rejects(
        luds.passwords.sessions.reset({
          organization_id: ludsOrg.organization_id,
          password: passphrase,
          session_token: member.session_token,
        }),
        { error_type: "weak_password", status_code: 400 },
      );
      await luds.passwords.sessions.reset({
        organization_id: ludsOrg.organization_id,
        password: ludsOk,
        session_token: member.session_token,
      });
      await assert.rejects(
        luds.passwords.existingPassword.reset({
          organization_id: ludsOrg.organization_id,
          email_address: member.email,
          existing_password: ludsOk,
          new_password: passphrase,
        }),
        { error_type: "weak_password" },
      );
      const next = "Zz9#zzzzzzzz";
      await luds.passwords.existingPassword.reset({
        organization_id: ludsOrg.organization_id,
        email_address: member.email,
        existing_password: ludsOk,
        new_password: next,
      });
      assert.equal((await login(member.email, next, luds, ludsOrg)).member_id, member.member_id);
      // The main project kept zxcvbn.
      assert.equal(
        (await server.client.passwords.strengthCheck({ password: "abcdefgh" })).strength_policy,
        "zxcvbn",
      );
    });
  });

  describe("PKCE on the email reset", () => {
    async function resetToken(email: string, extra: Record<string, unknown> = {}): Promise<string> {
      const before = mailCount(server, email);
      await server.client.passwords.email.resetStart({
        organization_id: org.organization_id,
        email_address: email,
        ...extra,
      });
      return tokenFrom(await server.smtp.waitFor(email, { after: before }), "multi_tenant_passwords");
    }

    it("needs the matching code_verifier when the reset started with a code_challenge", async () => {
      const member = await memberWithPassword(server, org);
      const verifier = randomBytes(32).toString("base64url");
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      const token = await resetToken(member.email, { code_challenge: challenge });
      const password = `Pk${uniq()}!-meadow-lantern`;
      await assert.rejects(server.client.passwords.email.reset({ password_reset_token: token, password }), {
        error_type: "pkce_expected_code_verifier",
        status_code: 400,
      });
      await assert.rejects(
        server.client.passwords.email.reset({
          password_reset_token: token,
          password,
          code_verifier: randomBytes(32).toString("base64url"),
        }),
        { error_type: "pkce_mismatch", status_code: 400 },
      );
      // The failed attempts did not consume the token.
      const reset = await server.client.passwords.email.reset({
        password_reset_token: token,
        password,
        code_verifier: verifier,
      });
      assert.equal(reset.member_id, member.member_id);
      assert.equal((await login(member.email, password)).member_id, member.member_id);
    });

    it("refuses a code_verifier for a reset started without a challenge, and a malformed challenge", async () => {
      const member = await memberWithPassword(server, org);
      const token = await resetToken(member.email);
      await assert.rejects(
        server.client.passwords.email.reset({
          password_reset_token: token,
          password: `Pk${uniq()}!-x-y-z`,
          code_verifier: randomBytes(32).toString("base64url"),
        }),
        { error_type: "pkce_did_not_expect_code_verifier", status_code: 400 },
      );
      await assert.rejects(
        server.client.passwords.email.resetStart({
          organization_id: org.organization_id,
          email_address: member.email,
          code_challenge: "too-short",
        }),
        { error_type: "invalid_pkce_code_challenge", status_code: 400 },
      );
    });
  });
});
