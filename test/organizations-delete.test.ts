import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { activeMember, createOrg, mailCount, uniq } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";
import { tokenFrom } from "./helpers/smtp.js";

/** organizations.delete (with its cascade), organizations.metrics and organizations.deleteExternalId. */

describe("organizations: delete, metrics, external id", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  describe("delete", () => {
    it("deletes the organization, its members, their sessions and pending tokens", async () => {
      const org = await createOrg(server.client, "Doomed");
      const ann = await activeMember(server, org);
      const bob = await activeMember(server, org);
      const survivorOrg = await createOrg(server.client, "Survivor");
      const survivor = await activeMember(server, survivorOrg);
      // A magic link sent before the delete must not work after it.
      const before = mailCount(server, ann.email);
      await server.client.magicLinks.email.loginOrSignup({
        organization_id: org.organization_id,
        email_address: ann.email,
      });
      const mail = await server.smtp.waitFor(ann.email, { after: before });

      const deleted = await server.client.organizations.delete({ organization_id: org.organization_slug });
      assert.equal(deleted.status_code, 200);
      assert.equal(deleted.organization_id, org.organization_id);

      await assert.rejects(server.client.organizations.get({ organization_id: org.organization_id }), {
        error_type: "organization_not_found",
        status_code: 404,
      });
      await assert.rejects(
        server.client.organizations.members.get({
          organization_id: org.organization_id,
          member_id: ann.member_id,
        }),
        { error_type: "organization_not_found", status_code: 404 },
      );
      for (const member of [ann, bob]) {
        await assert.rejects(server.client.sessions.authenticate({ session_token: member.session_token }), {
          error_type: "session_not_found",
          status_code: 404,
        });
        assert.equal(
          await server.store.members.findMemberInProject(server.project.project_id, member.member_id),
          null,
        );
      }
      await assert.rejects(
        server.client.magicLinks.authenticate({
          magic_links_token: tokenFrom(mail, "multi_tenant_magic_links"),
        }),
        { error_type: "magic_link_not_found", status_code: 404 },
      );
      // Deleting again, or an unknown org: 404. Other organizations are untouched.
      await assert.rejects(server.client.organizations.delete({ organization_id: org.organization_id }), {
        error_type: "organization_not_found",
        status_code: 404,
      });
      const alive = await server.client.sessions.authenticate({ session_token: survivor.session_token });
      assert.equal(alive.member.member_id, survivor.member_id);
      // Its allowed domain no longer finds it.
      const byDomain = await server.client.organizations.search({
        query: {
          operator: "AND",
          operands: [{ filter_name: "allowed_domains", filter_value: [org.domain] }],
        },
      });
      assert.deepEqual(byDomain.organizations, []);
      // The slug is free again.
      const reused = await server.client.organizations.create({
        organization_name: "Reborn",
        organization_slug: org.organization_slug,
      });
      assert.notEqual(reused.organization.organization_id, org.organization_id);
    });

    it("does not reach another project's organization", async () => {
      const org = await createOrg(server.client);
      const other = await server.newProject("Delete isolation");
      for (const key of [org.organization_id, org.organization_slug]) {
        await assert.rejects(other.client.organizations.delete({ organization_id: key }), {
          error_type: "organization_not_found",
          status_code: 404,
        });
      }
      await server.client.organizations.get({ organization_id: org.organization_id });
    });
  });

  describe("metrics", () => {
    it("counts members that are not deleted", async () => {
      const org = await createOrg(server.client, "Metrics");
      const empty = await server.client.organizations.metrics({ organization_id: org.organization_id });
      assert.equal(empty.status_code, 200);
      assert.equal(empty.member_count, 0);
      const ann = await activeMember(server, org);
      await activeMember(server, org);
      const two = await server.client.organizations.metrics({ organization_id: org.organization_slug });
      assert.equal(two.member_count, 2);
      await server.store.members.updateMember(ann.member_id, { status: "deleted" }, Date.now());
      const one = await server.client.organizations.metrics({ organization_id: org.organization_id });
      assert.equal(one.member_count, 1);
      await assert.rejects(server.client.organizations.metrics({ organization_id: "no-such-org" }), {
        error_type: "organization_not_found",
        status_code: 404,
      });
    });
  });

  describe("deleteExternalId", () => {
    it("clears the external id, which no longer names the org and may be reused", async () => {
      const id = uniq();
      const { organization } = await server.client.organizations.create({
        organization_name: `External ${id}`,
        organization_slug: `external-${id}`,
        organization_external_id: `ext-${id}`,
      });
      const cleared = await server.client.organizations.deleteExternalId({ organization_id: `ext-${id}` });
      assert.equal(cleared.status_code, 200);
      assert.equal(cleared.organization.organization_id, organization.organization_id);
      assert.equal(cleared.organization.organization_external_id, "");
      assert.equal(cleared.organization.organization_name, organization.organization_name);
      await assert.rejects(server.client.organizations.get({ organization_id: `ext-${id}` }), {
        error_type: "organization_not_found",
      });
      const reuse = await createOrg(server.client);
      const taken = await server.client.organizations.update({
        organization_id: reuse.organization_id,
        organization_external_id: `ext-${id}`,
      });
      assert.equal(taken.organization.organization_external_id, `ext-${id}`);
      // Clearing an org without one is a no-op that still answers the organization.
      const again = await server.client.organizations.deleteExternalId({ organization_id: `external-${id}` });
      assert.equal(again.organization.organization_external_id, "");
      await assert.rejects(server.client.organizations.deleteExternalId({ organization_id: "no-such-org" }), {
        error_type: "organization_not_found",
        status_code: 404,
      });
    });
  });
});
