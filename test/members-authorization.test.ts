import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type ActiveMember,
  activeMember,
  createOrg,
  memberWithPassword,
  type TestOrg,
  uniq,
} from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";

/**
 * Member routes run with a member session's permissions (X-Stytch-Member-Session / -SessionJWT): stytch_admin
 * manages its own organization's members, stytch_member only its own record, nobody another organization.
 */

describe("member routes with a member session", () => {
  let server: TestServer;
  let org: TestOrg;
  let admin: ActiveMember;
  let plain: ActiveMember;
  let outsider: ActiveMember;

  before(async () => {
    server = await startTestServer();
    org = await createOrg(server.client, "Hdr");
    admin = await activeMember(server, org);
    await server.client.organizations.members.update({
      organization_id: org.organization_id,
      member_id: admin.member_id,
      roles: ["stytch_admin"],
    });
    plain = await activeMember(server, org);
    outsider = await activeMember(server, await createOrg(server.client, "Outside"));
  });
  after(() => server.stop());

  const members = () => server.client.organizations.members;
  const as = (m: ActiveMember, jwt = false) => ({
    authorization: jwt ? { session_jwt: m.session_jwt } : { session_token: m.session_token },
  });
  const newMember = async () =>
    (
      await members().create({
        organization_id: org.organization_id,
        email_address: `n${uniq()}@${org.domain}`,
      })
    ).member;

  it("lets an admin create, update, delete and reactivate members of its organization", async () => {
    const created = await members().create(
      { organization_id: org.organization_slug, email_address: `c${uniq()}@${org.domain}`, name: "By admin" },
      as(admin),
    );
    assert.equal(created.member.name, "By admin");
    const updated = await members().update(
      {
        organization_id: org.organization_id,
        member_id: created.member_id,
        name: "Renamed",
        roles: ["stytch_admin"],
        is_breakglass: true,
        email_address: `moved${uniq()}@${org.domain}`,
        external_id: `e-${uniq()}`,
      },
      as(admin, true),
    );
    assert.equal(updated.member.name, "Renamed");
    assert.equal(updated.member.is_admin, true);
    const deleted = await members().delete(
      { organization_id: org.organization_id, member_id: created.member_id },
      as(admin),
    );
    assert.equal(deleted.member_id, created.member_id);
  });

  it("lets a plain member update its own name and untrusted metadata, and nothing else", async () => {
    const self = await members().update(
      {
        organization_id: org.organization_id,
        member_id: plain.member_id,
        name: "Me",
        untrusted_metadata: { t: 1 },
      },
      as(plain),
    );
    assert.equal(self.member.name, "Me");
    assert.deepEqual(self.member.untrusted_metadata, { t: 1 });

    const refusals: [Record<string, unknown>, string, number][] = [
      [{ email_address: `self${uniq()}@${org.domain}` }, "member_cannot_update_their_email_address", 403],
      [{ trusted_metadata: { admin: true } }, "cannot_update_trusted_metadata", 401],
      [{ roles: ["stytch_admin"] }, "session_authorization_error", 403],
      [{ is_breakglass: true }, "session_authorization_error", 403],
      [{ external_id: `mine-${uniq()}` }, "session_authorization_error", 403],
    ];
    for (const [fields, error_type, status_code] of refusals) {
      await assert.rejects(
        members().update(
          { organization_id: org.organization_id, member_id: plain.member_id, ...fields },
          as(plain),
        ),
        { error_type, status_code },
        JSON.stringify(fields),
      );
    }
    const stored = await members().get({ organization_id: org.organization_id, member_id: plain.member_id });
    assert.equal(stored.member.is_admin, false);
    assert.deepEqual(stored.member.trusted_metadata, {});
  });

  it("refuses a plain member any action on another member, and creating or reactivating members", async () => {
    const other = await newMember();
    const target = { organization_id: org.organization_id, member_id: other.member_id };
    const denied = { error_type: "session_authorization_error", status_code: 403 };
    await assert.rejects(members().update({ ...target, name: "Hijack" }, as(plain)), denied);
    await assert.rejects(members().update(target, as(plain)), denied);
    await assert.rejects(members().delete(target, as(plain, true)), denied);
    await assert.rejects(members().deleteExternalId(target, as(plain)), denied);
    await assert.rejects(
      members().create(
        { organization_id: org.organization_id, email_address: `x${uniq()}@${org.domain}` },
        as(plain),
      ),
      denied,
    );
    await members().delete(target);
    await assert.rejects(members().reactivate(target, as(plain)), denied);
    // The refused calls changed nothing.
    const shown = await members().dangerouslyGet({ member_id: other.member_id, include_deleted: true });
    assert.equal(shown.member.name, "");
  });

  it("answers a session of another organization with a tenancy error", async () => {
    const other = await newMember();
    const target = { organization_id: org.organization_id, member_id: other.member_id };
    const tenancy = { error_type: "session_authorization_tenancy_error", status_code: 403 };
    await assert.rejects(members().update({ ...target, name: "x" }, as(outsider)), tenancy);
    await assert.rejects(
      members().update({ ...target, email_address: `t${uniq()}@${org.domain}` }, as(outsider)),
      tenancy,
    );
    await assert.rejects(members().delete(target, as(outsider)), tenancy);
    await assert.rejects(
      members().create(
        { organization_id: org.organization_id, email_address: `y${uniq()}@${org.domain}` },
        as(outsider),
      ),
      tenancy,
    );
  });

  it("lets a member delete its own password but not another's; a manager may delete anyone's", async () => {
    const own = await memberWithPassword(server, org);
    const victim = await memberWithPassword(server, org);
    const pw = async (m: ActiveMember) =>
      (await members().get({ organization_id: org.organization_id, member_id: m.member_id })).member
        .member_password_id;
    await assert.rejects(
      members().deletePassword(
        { organization_id: org.organization_id, member_password_id: await pw(victim) },
        as(own),
      ),
      { error_type: "session_authorization_error", status_code: 403 },
    );
    const mine = await members().deletePassword(
      { organization_id: org.organization_id, member_password_id: await pw(own) },
      as(own),
    );
    assert.equal(mine.member.member_password_id, "");
    const theirs = await members().deletePassword(
      { organization_id: org.organization_id, member_password_id: await pw(victim) },
      as(admin),
    );
    assert.equal(theirs.member_id, victim.member_id);
  });

  it("lets a member delete itself, which ends its session", async () => {
    const leaving = await activeMember(server, org);
    await members().delete(
      { organization_id: org.organization_id, member_id: leaving.member_id },
      as(leaving),
    );
    await assert.rejects(server.client.sessions.authenticate({ session_token: leaving.session_token }), {
      error_type: "session_not_found",
      status_code: 404,
    });
  });

  it("refuses a revoked session and both headers at once", async () => {
    const gone = await activeMember(server, org);
    await server.client.sessions.revoke({ member_id: gone.member_id });
    await assert.rejects(
      members().update(
        { organization_id: org.organization_id, member_id: gone.member_id, name: "x" },
        as(gone),
      ),
      {
        error_type: "session_not_found",
        status_code: 404,
      },
    );
    await assert.rejects(
      members().update(
        { organization_id: org.organization_id, member_id: plain.member_id, name: "x" },
        { authorization: { session_token: plain.session_token, session_jwt: plain.session_jwt } },
      ),
      { error_type: "too_many_session_arguments", status_code: 400 },
    );
  });
});
