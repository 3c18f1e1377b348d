import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
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

/** members.delete, reactivate, dangerouslyGet, deletePassword and deleteExternalId. */

describe("member lifecycle", () => {
  let server: TestServer;
  let org: TestOrg;
  before(async () => {
    server = await startTestServer();
    org = await createOrg(server.client, "Lifecycle");
  });
  after(() => server.stop());

  const members = () => server.client.organizations.members;

  /** Sends a login link to `email` and returns its token, unused. */
  async function loginLink(email: string): Promise<string> {
    const before = mailCount(server, email);
    await server.client.magicLinks.email.loginOrSignup({
      organization_id: org.organization_id,
      email_address: email,
    });
    return tokenFrom(await server.smtp.waitFor(email, { after: before }), "multi_tenant_magic_links");
  }

  it("deletes a member: sessions, links and password login die; get fails; dangerously_get shows it", async () => {
    const m = await memberWithPassword(server, org);
    const link = await loginLink(m.email);
    const deleted = await members().delete({
      organization_id: org.organization_slug,
      member_id: m.member_id,
    });
    assert.equal(deleted.status_code, 200);
    assert.equal(deleted.member_id, m.member_id);
    assert.deepEqual(Object.keys(deleted).sort(), ["member_id", "request_id", "status_code"]);

    await assert.rejects(members().get({ organization_id: org.organization_id, member_id: m.member_id }), {
      error_type: "member_not_found",
      status_code: 404,
    });
    for (const input of [{ session_token: m.session_token }, { session_jwt: m.session_jwt }]) {
      await assert.rejects(server.client.sessions.authenticate(input), {
        error_type: "session_not_found",
        status_code: 404,
      });
    }
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: link }), {
      error_type: "unable_to_auth_magic_link",
      status_code: 401,
    });
    await assert.rejects(
      server.client.passwords.authenticate({
        organization_id: org.organization_id,
        email_address: m.email,
        password: m.password,
      }),
      { error_type: "unauthorized_credentials", status_code: 401 },
    );
    await assert.rejects(
      server.client.magicLinks.email.loginOrSignup({
        organization_id: org.organization_id,
        email_address: m.email,
      }),
      { error_type: "inactive_member", status_code: 400 },
    );

    await assert.rejects(members().dangerouslyGet({ member_id: m.member_id }), {
      error_type: "member_not_found",
      status_code: 404,
    });
    const shown = await members().dangerouslyGet({ member_id: m.member_id, include_deleted: true });
    assert.equal(shown.member.status, "deleted");
    assert.equal(shown.organization.organization_id, org.organization_id);
    assert.equal(shown.member_id, m.member_id);

    // Deleting again: the member is gone.
    await assert.rejects(members().delete({ organization_id: org.organization_id, member_id: m.member_id }), {
      error_type: "member_not_found",
      status_code: 404,
    });
  });

  it("deletes by external id and revokes a pending member's signup link (an uninvite)", async () => {
    const ext = `del-${uniq()}`;
    const address = `p${uniq()}@${org.domain}`;
    await members().create({
      organization_id: org.organization_id,
      email_address: address,
      create_member_as_pending: true,
      external_id: ext,
    });
    const link = await loginLink(address);
    await members().delete({ organization_id: org.organization_id, member_id: ext });
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: link }), {
      error_type: "unable_to_auth_magic_link",
      status_code: 401,
    });
    // The deleted member released its address and external id: both can be given to a new member.
    const again = await members().create({
      organization_id: org.organization_id,
      email_address: address,
      external_id: ext,
    });
    assert.equal(again.member.status, "active");
    const got = await members().get({ organization_id: org.organization_id, member_id: ext });
    assert.equal(got.member_id, again.member_id);
  });

  it("refuses to delete unknown members and in unknown organizations", async () => {
    await assert.rejects(
      members().delete({
        organization_id: org.organization_id,
        member_id: "member-test-00000000-0000-4000-8000-000000000000",
      }),
      { error_type: "member_not_found", status_code: 404 },
    );
    await assert.rejects(members().delete({ organization_id: "no-such-org", member_id: "x" }), {
      error_type: "organization_not_found",
      status_code: 404,
    });
  });

  it("reactivates a deleted member with a verified email, restoring login", async () => {
    const m = await memberWithPassword(server, org);
    await members().delete({ organization_id: org.organization_id, member_id: m.member_id });
    const back = await members().reactivate({
      organization_id: org.organization_slug,
      member_id: m.member_id,
    });
    assert.equal(back.member.status, "active");
    assert.equal(back.member_id, m.member_id);
    assert.equal(back.organization.organization_id, org.organization_id);
    const login = await server.client.passwords.authenticate({
      organization_id: org.organization_id,
      email_address: m.email,
      password: m.password,
    });
    assert.equal(login.member_id, m.member_id);
    // The sessions it had before the deletion stay dead.
    await assert.rejects(server.client.sessions.authenticate({ session_token: m.session_token }), {
      error_type: "session_not_found",
    });
  });

  it("refuses reactivation of live, unknown, externally-named, unverified or displaced members", async () => {
    const live = await activeMember(server, org);
    await assert.rejects(
      members().reactivate({ organization_id: org.organization_id, member_id: live.member_id }),
      {
        error_type: "no_deleted_member_found_for_reactivation",
        status_code: 404,
      },
    );

    // Deleted, but named by external id: Stytch takes only the member_id here.
    const ext = `re-${uniq()}`;
    await members().update({
      organization_id: org.organization_id,
      member_id: live.member_id,
      external_id: ext,
    });
    await members().delete({ organization_id: org.organization_id, member_id: live.member_id });
    await assert.rejects(members().reactivate({ organization_id: org.organization_id, member_id: ext }), {
      error_type: "no_deleted_member_found_for_reactivation",
      status_code: 404,
    });
    // In another organization of the project: not found there.
    const other = await createOrg(server.client, "Elsewhere");
    await assert.rejects(
      members().reactivate({ organization_id: other.organization_id, member_id: live.member_id }),
      {
        error_type: "no_deleted_member_found_for_reactivation",
      },
    );

    // Created by the API (never verified), then deleted.
    const { member } = await members().create({
      organization_id: org.organization_id,
      email_address: `u${uniq()}@${org.domain}`,
    });
    await members().delete({ organization_id: org.organization_id, member_id: member.member_id });
    await assert.rejects(
      members().reactivate({ organization_id: org.organization_id, member_id: member.member_id }),
      {
        error_type: "email_unverified_for_reactivation",
        status_code: 400,
      },
    );

    // Verified and deleted, and meanwhile a new member took the address.
    await members().create({ organization_id: org.organization_id, email_address: live.email });
    await assert.rejects(
      members().reactivate({ organization_id: org.organization_id, member_id: live.member_id }),
      {
        error_type: "reactivation_email_belongs_to_another_member",
        status_code: 400,
      },
    );
  });

  it("deletes a member's password: no password login, no reset link, member_password_id cleared", async () => {
    const m = await memberWithPassword(server, org);
    const { member } = await members().get({ organization_id: org.organization_id, member_id: m.member_id });
    assert.match(member.member_password_id, /^member-password-test-/);
    const before = mailCount(server, m.email);
    await server.client.passwords.email.resetStart({
      organization_id: org.organization_id,
      email_address: m.email,
    });
    const resetToken = tokenFrom(
      await server.smtp.waitFor(m.email, { after: before }),
      "multi_tenant_passwords",
    );

    const done = await members().deletePassword({
      organization_id: org.organization_slug,
      member_password_id: member.member_password_id,
    });
    assert.equal(done.member_id, m.member_id);
    assert.equal(done.member.member_password_id, "");
    assert.equal(done.organization.organization_id, org.organization_id);
    await assert.rejects(
      server.client.passwords.authenticate({
        organization_id: org.organization_id,
        email_address: m.email,
        password: m.password,
      }),
      { error_type: "unauthorized_credentials", status_code: 401 },
    );
    await assert.rejects(
      server.client.passwords.email.reset({ password_reset_token: resetToken, password: STRONG_PASSWORD }),
      { error_type: "unable_to_auth_password_reset_token", status_code: 401 },
    );
    // The same id again, and one that never existed.
    for (const id of [
      member.member_password_id,
      "member-password-test-00000000-0000-4000-8000-000000000000",
    ]) {
      await assert.rejects(
        members().deletePassword({ organization_id: org.organization_id, member_password_id: id }),
        { error_type: "member_password_not_found", status_code: 404 },
      );
    }
  });

  it("deletes a member's external id", async () => {
    const ext = `x-${uniq()}`;
    const { member } = await members().create({
      organization_id: org.organization_id,
      email_address: `e${uniq()}@${org.domain}`,
      external_id: ext,
    });
    const cleared = await members().deleteExternalId({
      organization_id: org.organization_id,
      member_id: ext,
    });
    assert.equal(cleared.member_id, member.member_id);
    assert.equal(cleared.member.external_id, "");
    await assert.rejects(members().get({ organization_id: org.organization_id, member_id: ext }), {
      error_type: "member_not_found",
    });
    await assert.rejects(
      members().deleteExternalId({ organization_id: org.organization_id, member_id: ext }),
      {
        error_type: "member_not_found",
        status_code: 404,
      },
    );
  });

  it("dangerously_get finds any member of the project by member_id only", async () => {
    const m = await activeMember(server, org);
    const got = await members().dangerouslyGet({ member_id: m.member_id });
    assert.equal(got.member.email_address, m.email);
    assert.equal(got.organization.organization_id, org.organization_id);
    const ext = `dg-${uniq()}`;
    await members().update({
      organization_id: org.organization_id,
      member_id: m.member_id,
      external_id: ext,
    });
    await assert.rejects(members().dangerouslyGet({ member_id: ext }), { error_type: "member_not_found" });
    const other = await server.newProject();
    await assert.rejects(other.client.organizations.members.dangerouslyGet({ member_id: m.member_id }), {
      error_type: "member_not_found",
      status_code: 404,
    });
  });
});
