import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type ActiveMember,
  activeMember,
  createOrg,
  mailCount,
  memberWithPassword,
  type TestOrg,
  uniq,
} from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";

/**
 * organizations.update through the official SDK, and the member-session authorization header on update,
 * delete and deleteExternalId. Delete, metrics and deleteExternalId themselves are in
 * organizations-delete.test.ts, search in organizations-search.test.ts.
 */

describe("organizations.update and member-session authorization", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  /** An org whose domain may join, plus an admin (stytch_admin) and a plain member, each with a session. */
  async function orgWithAdmin(): Promise<{ org: TestOrg; admin: ActiveMember; plain: ActiveMember }> {
    const org = await createOrg(server.client, "Rbac");
    const admin = await activeMember(server, org);
    await server.store.members.updateMember(admin.member_id, { roles: ["stytch_admin"] }, Date.now());
    const plain = await activeMember(server, org);
    return { org, admin, plain };
  }

  describe("get", () => {
    it("finds by id, slug in any case or external id, in its own project only; an id wins over a slug", async () => {
      const id = uniq();
      const { organization: org } = await server.client.organizations.create({
        organization_name: `Get ${id}`,
        organization_slug: `get-${id}`,
        organization_external_id: `get-ext-${id}`,
      });
      for (const key of [org.organization_id, `get-${id}`, `GET-${id.toUpperCase()}`, `get-ext-${id}`]) {
        const { organization } = await server.client.organizations.get({ organization_id: key });
        assert.equal(organization.organization_id, org.organization_id, key);
      }
      // Another organization whose slug is spelled like the first one's id: the id still names the first.
      const { organization: lookalike } = await server.client.organizations.create({
        organization_name: `Lookalike ${id}`,
        organization_slug: org.organization_id,
      });
      const byId = await server.client.organizations.get({ organization_id: org.organization_id });
      assert.equal(byId.organization.organization_id, org.organization_id);
      const byOwnId = await server.client.organizations.get({ organization_id: lookalike.organization_id });
      assert.equal(byOwnId.organization.organization_id, lookalike.organization_id);
      // No key of it reaches it from another project.
      const other = await server.newProject();
      for (const key of [org.organization_id, `get-${id}`, `get-ext-${id}`]) {
        await assert.rejects(other.client.organizations.get({ organization_id: key }), {
          status_code: 404,
          error_type: "organization_not_found",
        });
      }
    });
  });

  describe("update", () => {
    it("changes only the supplied fields, by id, slug or external id", async () => {
      const id = uniq();
      const { organization: created } = await server.client.organizations.create({
        organization_name: `Partial ${id}`,
        organization_slug: `partial-${id}`,
        organization_external_id: `ext-${id}`,
        organization_logo_url: "https://example.com/logo.png",
        trusted_metadata: { plan: "gold" },
        email_allowed_domains: [`p${id}.example.com`],
        email_jit_provisioning: "RESTRICTED",
        email_invites: "RESTRICTED",
      });
      server.clock.advance(2000);
      const renamed = await server.client.organizations.update({
        organization_id: created.organization_id,
        organization_name: "Renamed",
      });
      assert.equal(renamed.status_code, 200);
      assert.equal(renamed.organization.organization_name, "Renamed");
      assert.notEqual(renamed.organization.updated_at, created.updated_at);
      const { organization_name: _n, updated_at: _u, ...rest } = renamed.organization;
      const { organization_name: _n2, updated_at: _u2, ...before } = created;
      assert.deepEqual(rest, before);

      const bySlug = await server.client.organizations.update({
        organization_id: `PARTIAL-${id}`,
        organization_logo_url: "",
      });
      assert.equal(bySlug.organization.organization_id, created.organization_id);
      assert.equal(bySlug.organization.organization_logo_url, "");
      assert.equal(bySlug.organization.organization_name, "Renamed");
      const byExternal = await server.client.organizations.update({
        organization_id: `ext-${id}`,
        trusted_metadata: { plan: "platinum" },
      });
      assert.deepEqual(byExternal.organization.trusted_metadata, { plan: "platinum" });
      const got = await server.client.organizations.get({ organization_id: created.organization_id });
      assert.deepEqual(got.organization, byExternal.organization);
    });

    it("round-trips every settings field and normalises domains", async () => {
      const org = await createOrg(server.client, "Settings");
      const { organization } = await server.client.organizations.update({
        organization_id: org.organization_id,
        organization_slug: `settings-${uniq()}`,
        sso_default_connection_id: "saml-connection-test-1",
        sso_jit_provisioning: "NOT_ALLOWED",
        sso_jit_provisioning_allowed_connections: ["saml-connection-test-1"],
        email_allowed_domains: ["Sub.Example.COM", " sub.example.com. ", "other.example.org"],
        email_jit_provisioning: "RESTRICTED",
        email_invites: "NOT_ALLOWED",
        auth_methods: "RESTRICTED",
        allowed_auth_methods: ["magic_link", "password"],
        mfa_policy: "OPTIONAL",
        rbac_email_implicit_role_assignments: [{ domain: "Sub.Example.com", role_id: "stytch_admin" }],
        mfa_methods: "RESTRICTED",
        allowed_mfa_methods: ["totp"],
        oauth_tenant_jit_provisioning: "RESTRICTED",
        allowed_oauth_tenants: { slack: ["T123"] },
        claimed_email_domains: ["Claimed.Example.NET"],
        first_party_connected_apps_allowed_type: "RESTRICTED",
        allowed_first_party_connected_apps: ["connected-app-test-1"],
        third_party_connected_apps_allowed_type: "NOT_ALLOWED",
        allowed_third_party_connected_apps: [],
      });
      assert.equal(organization.sso_default_connection_id, "saml-connection-test-1");
      assert.equal(organization.sso_jit_provisioning, "NOT_ALLOWED");
      assert.deepEqual(organization.sso_jit_provisioning_allowed_connections, ["saml-connection-test-1"]);
      assert.deepEqual(organization.email_allowed_domains, ["sub.example.com", "other.example.org"]);
      assert.equal(organization.email_invites, "NOT_ALLOWED");
      assert.equal(organization.auth_methods, "RESTRICTED");
      assert.deepEqual(organization.allowed_auth_methods, ["magic_link", "password"]);
      assert.deepEqual(organization.rbac_email_implicit_role_assignments, [
        { domain: "sub.example.com", role_id: "stytch_admin" },
      ]);
      assert.equal(organization.mfa_methods, "RESTRICTED");
      assert.deepEqual(organization.allowed_mfa_methods, ["totp"]);
      assert.equal(organization.oauth_tenant_jit_provisioning, "RESTRICTED");
      assert.deepEqual(organization.allowed_oauth_tenants, { slack: ["T123"] });
      assert.deepEqual(organization.claimed_email_domains, ["claimed.example.net"]);
      assert.equal(organization.first_party_connected_apps_allowed_type, "RESTRICTED");
      assert.deepEqual(organization.allowed_first_party_connected_apps, ["connected-app-test-1"]);
      assert.equal(organization.third_party_connected_apps_allowed_type, "NOT_ALLOWED");
      const got = await server.client.organizations.get({ organization_id: org.organization_id });
      assert.deepEqual(got.organization, organization);

      // "" clears the default SSO connection (null, Stytch's absent id).
      const cleared = await server.client.organizations.update({
        organization_id: org.organization_id,
        sso_default_connection_id: "",
      });
      assert.equal(cleared.organization.sso_default_connection_id, null);
    });

    it("refuses another organization's slug or external id, in any case", async () => {
      const first = await createOrg(server.client);
      const ext = `ext-${uniq()}`;
      await server.client.organizations.update({
        organization_id: first.organization_id,
        organization_external_id: ext,
      });
      const second = await createOrg(server.client);
      for (const slug of [first.organization_slug, first.organization_slug.toUpperCase()]) {
        await assert.rejects(
          server.client.organizations.update({
            organization_id: second.organization_id,
            organization_slug: slug,
          }),
          { error_type: "organization_slug_already_used", status_code: 400 },
        );
      }
      await assert.rejects(
        server.client.organizations.update({
          organization_id: second.organization_id,
          organization_external_id: ext,
        }),
        { error_type: "organization_external_id_already_used", status_code: 400 },
      );
      // Its own slug in another case is not a conflict.
      const own = await server.client.organizations.update({
        organization_id: second.organization_id,
        organization_slug: second.organization_slug.toUpperCase(),
      });
      assert.equal(own.organization.organization_slug, second.organization_slug.toUpperCase());
      const unchanged = await server.client.organizations.get({ organization_id: second.organization_id });
      assert.equal(unchanged.organization.organization_external_id, "");
    });

    it("keeps every one of several concurrent updates of different fields", async () => {
      const org = await createOrg(server.client, "Concurrent");
      const updates: Record<string, unknown>[] = [
        { organization_name: "Concurrent renamed" },
        { organization_logo_url: "https://example.com/c.png" },
        { email_invites: "RESTRICTED" },
        { mfa_methods: "RESTRICTED" },
        { allowed_mfa_methods: ["sms_otp"] },
        { claimed_email_domains: [`claimed-${uniq()}.example.com`] },
        { trusted_metadata: { concurrent: true } },
        { oauth_tenant_jit_provisioning: "RESTRICTED" },
      ];
      await Promise.all(
        updates.map((fields) =>
          server.client.organizations.update({ organization_id: org.organization_id, ...fields }),
        ),
      );
      const { organization } = await server.client.organizations.get({
        organization_id: org.organization_id,
      });
      for (const fields of updates) {
        for (const [key, value] of Object.entries(fields)) {
          assert.deepEqual(organization[key as keyof typeof organization], value, key);
        }
      }
    });

    it("validates as create does", async () => {
      const org = await createOrg(server.client);
      const cases: [Record<string, unknown>, string][] = [
        [{ organization_slug: "a" }, "invalid_organization_slug"],
        [{ organization_slug: ".." }, "invalid_organization_slug"],
        [{ organization_name: " " }, "organization_name_missing"],
        [{ organization_name: "x".repeat(129) }, "invalid_organization_name"],
        [{ organization_external_id: "has space" }, "invalid_organization_external_id"],
        [{ organization_external_id: "" }, "invalid_organization_external_id"],
        [{ email_allowed_domains: ["gmail.com"] }, "organization_settings_domain_too_common"],
        [{ email_allowed_domains: ["not a domain"] }, "invalid_email_domain"],
        [{ claimed_email_domains: ["GMAIL.com"] }, "organization_settings_domain_too_common"],
        [{ auth_methods: "RESTRICTED" }, "allowed_auth_methods_required_for_restricted"],
        [{ mfa_policy: "REQUIRED_FOR_ALL" }, "invalid_organization_settings"],
        [
          {
            email_jit_provisioning: "NOT_ALLOWED",
            sso_jit_provisioning: "NOT_ALLOWED",
            email_invites: "NOT_ALLOWED",
            oauth_tenant_jit_provisioning: "NOT_ALLOWED",
          },
          "organization_settings_provisioning_required",
        ],
      ];
      for (const [fields, error_type] of cases) {
        await assert.rejects(
          server.client.organizations.update({ organization_id: org.organization_id, ...fields }),
          { error_type, status_code: 400 },
          JSON.stringify(fields),
        );
      }
      // Schema-level: a value outside the enum.
      await assert.rejects(
        server.client.organizations.update({
          organization_id: org.organization_id,
          email_invites: "SOMETIMES",
        }),
        { error_type: "bad_request", status_code: 400 },
      );
      // RESTRICTED is kept only while at least one method stays allowed.
      await server.client.organizations.update({
        organization_id: org.organization_id,
        auth_methods: "RESTRICTED",
        allowed_auth_methods: ["magic_link"],
      });
      await assert.rejects(
        server.client.organizations.update({
          organization_id: org.organization_id,
          allowed_auth_methods: [],
        }),
        { error_type: "allowed_auth_methods_required_for_restricted", status_code: 400 },
      );
      // Nothing of the refused updates was written.
      const { organization } = await server.client.organizations.get({
        organization_id: org.organization_id,
      });
      assert.equal(organization.organization_slug, org.organization_slug);
      assert.deepEqual(organization.email_allowed_domains, [org.domain]);
      assert.deepEqual(organization.allowed_auth_methods, ["magic_link"]);
      await assert.rejects(
        server.client.organizations.update({ organization_id: "no-such-org", organization_name: "X" }),
        { error_type: "organization_not_found", status_code: 404 },
      );
    });

    it("enforces updated settings: auth_methods and email_jit_provisioning", async () => {
      const org = await createOrg(server.client, "Enforce");
      const member = await memberWithPassword(server, org);
      await server.client.organizations.update({
        organization_id: org.organization_id,
        auth_methods: "RESTRICTED",
        allowed_auth_methods: ["magic_link"],
        email_jit_provisioning: "NOT_ALLOWED",
      });
      await assert.rejects(
        server.client.passwords.authenticate({
          organization_id: org.organization_id,
          email_address: member.email,
          password: member.password,
        }),
        { error_type: "operation_restricted_by_organization_auth_methods", status_code: 403 },
      );
      const newcomer = `new-${uniq()}@${org.domain}`;
      await assert.rejects(
        server.client.magicLinks.email.loginOrSignup({
          organization_id: org.organization_id,
          email_address: newcomer,
        }),
        { error_type: "invalid_email_for_jit_provisioning", status_code: 403 },
      );
      assert.equal(mailCount(server, newcomer), 0);
    });
  });

  describe("member-session authorization", () => {
    it("lets a stytch_admin update, by session token or JWT", async () => {
      const { org, admin } = await orgWithAdmin();
      const byToken = await server.client.organizations.update(
        { organization_id: org.organization_id, organization_name: "By admin", email_invites: "ALL_ALLOWED" },
        { authorization: { session_token: admin.session_token } },
      );
      assert.equal(byToken.organization.organization_name, "By admin");
      const byJwt = await server.client.organizations.update(
        { organization_id: org.organization_slug, organization_logo_url: "https://example.com/a.png" },
        { authorization: { session_jwt: admin.session_jwt } },
      );
      assert.equal(byJwt.organization.organization_logo_url, "https://example.com/a.png");
    });

    it("refuses a plain member (403) and a member of another organization (403 tenancy)", async () => {
      const { org, plain } = await orgWithAdmin();
      const other = await orgWithAdmin();
      await assert.rejects(
        server.client.organizations.update(
          { organization_id: org.organization_id, organization_name: "By member" },
          { authorization: { session_token: plain.session_token } },
        ),
        { error_type: "session_authorization_error", status_code: 403 },
      );
      await assert.rejects(
        server.client.organizations.update(
          { organization_id: org.organization_id, organization_name: "By outsider" },
          { authorization: { session_token: other.admin.session_token } },
        ),
        { error_type: "session_authorization_tenancy_error", status_code: 403 },
      );
      await assert.rejects(
        server.client.organizations.update(
          { organization_id: org.organization_id, organization_name: "Bad session" },
          { authorization: { session_token: "not-a-session-token" } },
        ),
        { status_code: 404, error_type: "session_not_found" },
      );
      const { organization } = await server.client.organizations.get({
        organization_id: org.organization_id,
      });
      assert.notEqual(organization.organization_name, "By member");
      assert.notEqual(organization.organization_name, "By outsider");
    });

    it("refuses trusted_metadata with any member session, even an admin's", async () => {
      const { org, admin } = await orgWithAdmin();
      for (const fields of [
        { trusted_metadata: { tier: 1 } },
        { organization_name: "X", trusted_metadata: {} },
      ]) {
        await assert.rejects(
          server.client.organizations.update(
            { organization_id: org.organization_id, ...fields },
            { authorization: { session_token: admin.session_token } },
          ),
          { error_type: "cannot_update_trusted_metadata", status_code: 401 },
        );
      }
      const { organization } = await server.client.organizations.get({
        organization_id: org.organization_id,
      });
      assert.deepEqual(organization.trusted_metadata, {});
    });

    it("guards delete and deleteExternalId the same way", async () => {
      const { org, admin, plain } = await orgWithAdmin();
      const other = await orgWithAdmin();
      for (const call of [
        (session_token: string) =>
          server.client.organizations.delete(
            { organization_id: org.organization_id },
            { authorization: { session_token } },
          ),
        (session_token: string) =>
          server.client.organizations.deleteExternalId(
            { organization_id: org.organization_id },
            { authorization: { session_token } },
          ),
      ]) {
        await assert.rejects(call(plain.session_token), { error_type: "session_authorization_error" });
        await assert.rejects(call(other.admin.session_token), {
          error_type: "session_authorization_tenancy_error",
          status_code: 403,
        });
      }
      await server.client.organizations.get({ organization_id: org.organization_id });
      const deleted = await server.client.organizations.delete(
        { organization_id: org.organization_id },
        { authorization: { session_token: admin.session_token } },
      );
      assert.equal(deleted.organization_id, org.organization_id);
    });
  });
});
