import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  activeMember,
  createOrg,
  mailCount,
  memberWithPassword,
  type TestOrg,
  uniq,
} from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";
import { tokenFrom } from "./helpers/smtp.js";

/** members.create / update / delete / reactivate / deletePassword / deleteExternalId, with the API key. */

describe("members", () => {
  let server: TestServer;
  let org: TestOrg;
  before(async () => {
    server = await startTestServer();
    org = await createOrg(server.client, "Members");
  });
  after(() => server.stop());

  const members = () => server.client.organizations.members;
  const email = () => `m${uniq()}@${org.domain}`;

  it("creates an active member with every given field, normalising the email", async () => {
    const address = email();
    const ext = `ext-${uniq()}`;
    const created = await members().create({
      organization_id: org.organization_slug,
      email_address: `  ${address.toUpperCase()} `,
      name: "Ada Lovelace",
      trusted_metadata: { plan: "pro" },
      untrusted_metadata: { theme: "dark" },
      is_breakglass: true,
      roles: ["stytch_admin"],
      external_id: ext,
      mfa_enrolled: false,
    });
    assert.equal(created.status_code, 200);
    assert.match(created.request_id, /^request-id-test-/);
    const m = created.member;
    assert.match(created.member_id, /^member-test-[0-9a-f-]{36}$/);
    assert.equal(m.member_id, created.member_id);
    assert.equal(m.organization_id, org.organization_id);
    assert.equal(created.organization.organization_id, org.organization_id);
    assert.equal(m.email_address, address);
    assert.equal(m.status, "active");
    assert.equal(m.name, "Ada Lovelace");
    assert.deepEqual(m.trusted_metadata, { plan: "pro" });
    assert.deepEqual(m.untrusted_metadata, { theme: "dark" });
    assert.equal(m.is_breakglass, true);
    assert.equal(m.external_id, ext);
    assert.equal(m.is_admin, true);
    assert.equal(m.email_address_verified, false);
    assert.equal(m.member_password_id, "");
    assert.deepEqual(m.retired_email_addresses, []);
    assert.deepEqual(
      m.roles.map((r) => [r.role_id, r.sources]),
      [
        ["stytch_member", [{ type: "direct_assignment", details: {} }]],
        ["stytch_admin", [{ type: "direct_assignment", details: {} }]],
      ],
    );
    // Visible through get, by member_id and by external id.
    const got = await members().get({ organization_id: org.organization_id, member_id: ext });
    assert.deepEqual(got.member, m);
  });

  it("creates a pending member with create_member_as_pending, and a plain one by default", async () => {
    const pending = await members().create({
      organization_id: org.organization_id,
      email_address: email(),
      create_member_as_pending: true,
    });
    assert.equal(pending.member.status, "pending");
    const plain = await members().create({ organization_id: org.organization_id, email_address: email() });
    assert.equal(plain.member.status, "active");
    assert.equal(plain.member.name, "");
    assert.equal(plain.member.is_admin, false);
    assert.equal(plain.member.external_id, "");
    assert.deepEqual(
      plain.member.roles.map((r) => r.role_id),
      ["stytch_member"],
    );
  });

  it("refuses duplicates, bad values and unknown organizations on create", async () => {
    const address = email();
    const ext = `dup-${uniq()}`;
    await members().create({
      organization_id: org.organization_id,
      email_address: address,
      external_id: ext,
    });
    const cases: [Record<string, unknown>, string, number][] = [
      [{ email_address: address.toUpperCase() }, "duplicate_member_email", 400],
      [{ email_address: email(), external_id: ext }, "duplicate_member_external_id", 400],
      [{ email_address: email(), external_id: "bad id!" }, "invalid_member_external_id", 400],
      [{ email_address: email(), external_id: "x".repeat(129) }, "invalid_member_external_id", 400],
      [{ email_address: email(), roles: ["editor"] }, "invalid_role", 400],
      [{ email_address: "not-an-email" }, "invalid_email", 400],
      [{ email_address: "a@x.com\r\nBcc: v@y.com" }, "invalid_email", 400],
      [{ email_address: email(), mfa_enrolled: true }, "invalid_request_value", 400],
      [{ email_address: email(), mfa_phone_number: "+12025550123" }, "invalid_request_value", 400],
      [
        { email_address: email(), untrusted_metadata: { big: "x".repeat(5000) } },
        "invalid_request_value",
        400,
      ],
      [{ email_address: email(), organization_id: "no-such-org" }, "organization_not_found", 404],
    ];
    for (const [fields, error_type, status_code] of cases) {
      await assert.rejects(
        members().create({ organization_id: org.organization_id, email_address: "", ...fields }),
        { error_type, status_code },
        JSON.stringify(fields),
      );
    }
  });

  it("lets one email be a separate member in two organizations", async () => {
    const other = await createOrg(server.client, "Other");
    const address = `same${uniq()}@example.com`;
    const a = await members().create({ organization_id: org.organization_id, email_address: address });
    const b = await members().create({ organization_id: other.organization_id, email_address: address });
    assert.notEqual(a.member_id, b.member_id);
    assert.equal(b.member.organization_id, other.organization_id);
  });

  it("updates only the supplied fields, merging metadata at the top level", async () => {
    const ext = `upd-${uniq()}`;
    const { member } = await members().create({
      organization_id: org.organization_id,
      email_address: email(),
      name: "Before",
      trusted_metadata: { a: 1, b: { deep: true } },
      untrusted_metadata: { keep: "yes", drop: "me" },
      external_id: ext,
    });
    server.clock.advance(2000);
    const updated = await members().update({
      organization_id: org.organization_slug,
      member_id: ext,
      trusted_metadata: { b: { other: 1 }, c: "new" },
      untrusted_metadata: { drop: null },
    });
    const m = updated.member;
    assert.equal(m.name, "Before");
    assert.deepEqual(m.trusted_metadata, { a: 1, b: { other: 1 }, c: "new" });
    assert.deepEqual(m.untrusted_metadata, { keep: "yes" });
    assert.equal(m.external_id, ext);
    assert.equal(m.created_at, member.created_at);
    assert.notEqual(m.updated_at, member.updated_at);

    const renamed = await members().update({
      organization_id: org.organization_id,
      member_id: member.member_id,
      name: "After",
      is_breakglass: true,
      external_id: `${ext}-2`,
    });
    assert.equal(renamed.member.name, "After");
    assert.equal(renamed.member.is_breakglass, true);
    assert.equal(renamed.member.external_id, `${ext}-2`);
    assert.deepEqual(renamed.member.trusted_metadata, m.trusted_metadata);
  });

  it("replaces explicit roles, keeps stytch_member, and revokes sessions when a role is taken away", async () => {
    const m = await activeMember(server, org);
    const promoted = await members().update({
      organization_id: org.organization_id,
      member_id: m.member_id,
      roles: ["stytch_admin", "stytch_member"],
    });
    assert.equal(promoted.member.is_admin, true);
    // Adding a role keeps the session, which now carries the role.
    const live = await server.client.sessions.authenticate({ session_token: m.session_token });
    assert.deepEqual(live.member_session.roles, ["stytch_member", "stytch_admin"]);

    // Taking it away with preserve_existing_sessions keeps the session.
    await members().update({
      organization_id: org.organization_id,
      member_id: m.member_id,
      roles: [],
      preserve_existing_sessions: true,
    });
    const kept = await server.client.sessions.authenticate({ session_token: m.session_token });
    assert.deepEqual(kept.member_session.roles, ["stytch_member"]);

    // Without it, a demotion revokes every session.
    await members().update({
      organization_id: org.organization_id,
      member_id: m.member_id,
      roles: ["stytch_admin"],
    });
    const demoted = await members().update({
      organization_id: org.organization_id,
      member_id: m.member_id,
      roles: [],
    });
    assert.deepEqual(
      demoted.member.roles.map((r) => r.role_id),
      ["stytch_member"],
    );
    await assert.rejects(server.client.sessions.authenticate({ session_token: m.session_token }), {
      error_type: "session_not_found",
      status_code: 404,
    });
  });

  it("refuses unknown members, bad values and taken addresses on update", async () => {
    const taken = email();
    await members().create({ organization_id: org.organization_id, email_address: taken });
    const { member } = await members().create({
      organization_id: org.organization_id,
      email_address: email(),
    });
    const cases: [Record<string, unknown>, string, number][] = [
      [{ member_id: "member-test-00000000-0000-4000-8000-000000000000" }, "member_not_found", 404],
      [{ roles: ["owner"] }, "invalid_role", 400],
      [{ external_id: "has space" }, "invalid_member_external_id", 400],
      [{ email_address: taken.toUpperCase() }, "duplicate_member_email", 400],
      [{ email_address: "bad" }, "invalid_email", 400],
      [{ mfa_enrolled: true }, "invalid_request_value", 400],
      [{ default_mfa_method: "totp" }, "invalid_request_value", 400],
      [{ organization_id: "no-such-org" }, "organization_not_found", 404],
    ];
    for (const [fields, error_type, status_code] of cases) {
      await assert.rejects(
        members().update({ organization_id: org.organization_id, member_id: member.member_id, ...fields }),
        { error_type, status_code },
        JSON.stringify(fields),
      );
    }
  });

  it("changes the email: password cleared, unverified, old address retired, old links dead", async () => {
    const m = await memberWithPassword(server, org);
    // A login link sent to the old address before the change.
    const before = mailCount(server, m.email);
    await server.client.magicLinks.email.loginOrSignup({
      organization_id: org.organization_id,
      email_address: m.email,
    });
    const link = tokenFrom(await server.smtp.waitFor(m.email, { after: before }), "multi_tenant_magic_links");
    const oldEmailId = await emailIdOf(m.member_id);

    const next = email();
    const changed = await members().update({
      organization_id: org.organization_id,
      member_id: m.member_id,
      email_address: next,
    });
    const c = changed.member;
    assert.equal(c.email_address, next);
    assert.equal(c.email_address_verified, false);
    assert.equal(c.member_password_id, "");
    assert.deepEqual(c.retired_email_addresses, [{ email_id: oldEmailId, email_address: m.email }]);
    assert.notEqual(await emailIdOf(m.member_id), oldEmailId);
    await assert.rejects(server.client.magicLinks.authenticate({ magic_links_token: link }), {
      error_type: "unable_to_auth_magic_link",
      status_code: 401,
    });
    await assert.rejects(
      server.client.passwords.authenticate({
        organization_id: org.organization_id,
        email_address: next,
        password: m.password,
      }),
      { error_type: "unauthorized_credentials", status_code: 401 },
    );

    // Back to the old address: it leaves the retired list; unlink_email drops the address it replaces.
    const back = await members().update({
      organization_id: org.organization_id,
      member_id: m.member_id,
      email_address: m.email.toUpperCase(),
      unlink_email: true,
    });
    assert.equal(back.member.email_address, m.email);
    assert.deepEqual(back.member.retired_email_addresses, []);
    assert.equal(await emailIdOf(m.member_id), oldEmailId, "the old address keeps its email_id");
  });

  /** The member's current email_id, read from the store (the wire shows it only inside factors). */
  async function emailIdOf(memberId: string): Promise<string> {
    const stored = await server.store.members.findMemberInProject(server.project.project_id, memberId);
    return stored?.email_id ?? "";
  }
});
