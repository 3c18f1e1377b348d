import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { activeMember, createOrg, uniq } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";

/** Organizations (create defaults, slugs, lookups, isolation) and members.get. */

describe("organizations and members", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it("creates an organization with Stytch's defaults", async () => {
    const slug = `acme-${uniq()}`;
    const { organization: org, status_code } = await server.client.organizations.create({
      organization_name: "Acme",
      organization_slug: slug,
    });
    assert.equal(status_code, 200);
    assert.match(org.organization_id, /^organization-test-[0-9a-f-]{36}$/);
    assert.equal(org.organization_name, "Acme");
    assert.equal(org.organization_slug, slug);
    assert.equal(org.email_invites, "ALL_ALLOWED");
    assert.equal(org.sso_jit_provisioning, "ALL_ALLOWED");
    assert.equal(org.email_jit_provisioning, "NOT_ALLOWED");
    assert.equal(org.auth_methods, "ALL_ALLOWED");
    assert.equal(org.mfa_policy, "OPTIONAL");
    assert.equal(org.mfa_methods, "ALL_ALLOWED");
    assert.equal(org.organization_logo_url, "");
    assert.equal(org.sso_default_connection_id, null);
    assert.deepEqual(org.trusted_metadata, {});
    for (const field of [
      "email_allowed_domains",
      "allowed_auth_methods",
      "allowed_mfa_methods",
      "sso_jit_provisioning_allowed_connections",
      "sso_active_connections",
      "rbac_email_implicit_role_assignments",
    ] as const) {
      assert.deepEqual(org[field], [], field);
    }
    assert.match(org.created_at ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("defaults email_invites to NOT_ALLOWED when any auth setting is given", async () => {
    const settings: Record<string, unknown>[] = [
      { sso_jit_provisioning: "RESTRICTED" },
      { email_jit_provisioning: "RESTRICTED" },
      { email_allowed_domains: [`d${uniq()}.example.com`] },
      { auth_methods: "ALL_ALLOWED" },
      { mfa_policy: "OPTIONAL" },
      { mfa_methods: "ALL_ALLOWED" },
    ];
    for (const setting of settings) {
      const id = uniq();
      const { organization } = await server.client.organizations.create({
        organization_name: `Settings ${id}`,
        organization_slug: `settings-${id}`,
        ...setting,
      });
      assert.equal(organization.email_invites, "NOT_ALLOWED", JSON.stringify(setting));
    }
    // An explicit email_invites is kept.
    const id = uniq();
    const { organization } = await server.client.organizations.create({
      organization_name: `Invites ${id}`,
      organization_slug: `invites-${id}`,
      sso_jit_provisioning: "RESTRICTED",
      email_invites: "ALL_ALLOWED",
    });
    assert.equal(organization.email_invites, "ALL_ALLOWED");
  });

  it("refuses a duplicate slug, also one differing only in case", async () => {
    const slug = `dup-${uniq()}`;
    await server.client.organizations.create({ organization_name: "First", organization_slug: slug });
    for (const again of [slug, slug.toUpperCase(), `Dup${slug.slice(3)}`]) {
      await assert.rejects(
        server.client.organizations.create({ organization_name: "Second", organization_slug: again }),
        { error_type: "organization_slug_already_used", status_code: 400 },
        again,
      );
    }
  });

  it("refuses invalid slugs with 400 invalid_organization_slug", async () => {
    for (const slug of ["a", "x' OR '1'='1", "..", ".", "a/b", "with space", "x".repeat(129), ""]) {
      await assert.rejects(
        server.client.organizations.create({ organization_name: "Bad slug", organization_slug: slug }),
        { error_type: "invalid_organization_slug", status_code: 400 },
        JSON.stringify(slug),
      );
    }
  });

  it("gets an organization by id, by slug and by organization_external_id", async () => {
    const id = uniq();
    const { organization } = await server.client.organizations.create({
      organization_name: `Lookup ${id}`,
      organization_slug: `lookup-${id}`,
      organization_external_id: `ext-${id}`,
    });
    assert.equal(organization.organization_external_id, `ext-${id}`);
    for (const key of [organization.organization_id, `lookup-${id}`, `LOOKUP-${id}`, `ext-${id}`]) {
      const got = await server.client.organizations.get({ organization_id: key });
      assert.equal(got.status_code, 200);
      assert.equal(got.organization.organization_id, organization.organization_id, key);
      assert.deepEqual(got.organization, organization);
    }
  });

  it("answers an unknown organization with 404 organization_not_found", async () => {
    for (const key of [
      "organization-test-00000000-0000-4000-8000-000000000000",
      "no-such-slug",
      "x' OR '1'='1",
    ]) {
      await assert.rejects(server.client.organizations.get({ organization_id: key }), {
        error_type: "organization_not_found",
        status_code: 404,
      });
    }
  });

  it("hides project A's organizations from project B", async () => {
    const org = await createOrg(server.client);
    const other = await server.newProject("Project B");
    for (const key of [org.organization_id, org.organization_slug]) {
      await assert.rejects(other.client.organizations.get({ organization_id: key }), {
        error_type: "organization_not_found",
        status_code: 404,
      });
    }
    // B may reuse A's slug: slugs are unique per project.
    const { organization } = await other.client.organizations.create({
      organization_name: "Same slug in B",
      organization_slug: org.organization_slug,
    });
    assert.notEqual(organization.organization_id, org.organization_id);
    const fromA = await server.client.organizations.get({ organization_id: org.organization_slug });
    assert.equal(fromA.organization.organization_id, org.organization_id);
  });

  it("refuses a public email provider in email_allowed_domains with 400", async () => {
    for (const domain of ["gmail.com", "GMAIL.COM"]) {
      const id = uniq();
      await assert.rejects(
        server.client.organizations.create({
          organization_name: `Public ${id}`,
          organization_slug: `public-${id}`,
          email_allowed_domains: [domain],
        }),
        { error_type: "organization_settings_domain_too_common", status_code: 400 },
      );
    }
    await assert.rejects(
      server.client.organizations.create({
        organization_name: "Bad domain",
        organization_slug: `bad-domain-${uniq()}`,
        email_allowed_domains: ["not a domain"],
      }),
      { error_type: "invalid_email_domain", status_code: 400 },
    );
  });

  it("gets a member by member_id and by email address, case-insensitively", async () => {
    const id = uniq();
    const { organization } = await server.client.organizations.create({
      organization_name: `Members ${id}`,
      organization_slug: `members-${id}`,
      email_allowed_domains: ["example.com"],
      email_jit_provisioning: "RESTRICTED",
    });
    const org = {
      organization_id: organization.organization_id,
      organization_slug: organization.organization_slug,
      domain: "example.com",
    };
    const ada = await activeMember(server, org, { local: "ada" });
    assert.equal(ada.email, "ada@example.com");

    const byId = await server.client.organizations.members.get({
      organization_id: org.organization_id,
      member_id: ada.member_id,
    });
    assert.equal(byId.status_code, 200);
    assert.equal(byId.member_id, ada.member_id);
    assert.equal(byId.member.email_address, "ada@example.com");
    assert.equal(byId.member.status, "active");
    assert.equal(byId.organization.organization_id, org.organization_id);

    for (const email of ["ada@example.com", "ADA@Example.com", "  Ada@EXAMPLE.com "]) {
      const byEmail = await server.client.organizations.members.get({
        organization_id: org.organization_id,
        email_address: email,
      });
      assert.equal(byEmail.member_id, ada.member_id, email);
    }
    // The organization may be named by slug here too.
    const bySlug = await server.client.organizations.members.get({
      organization_id: org.organization_slug,
      member_id: ada.member_id,
    });
    assert.equal(bySlug.member_id, ada.member_id);
  });

  it("answers an unknown member with 404 and a get without member_id or email with 400", async () => {
    const org = await createOrg(server.client);
    const member = await activeMember(server, org);
    await assert.rejects(
      server.client.organizations.members.get({
        organization_id: org.organization_id,
        member_id: "member-test-00000000-0000-4000-8000-000000000000",
      }),
      { error_type: "member_not_found", status_code: 404 },
    );
    await assert.rejects(
      server.client.organizations.members.get({
        organization_id: org.organization_id,
        email_address: `nobody@${org.domain}`,
      }),
      { error_type: "member_not_found", status_code: 404 },
    );
    await assert.rejects(server.client.organizations.members.get({ organization_id: org.organization_id }), {
      error_type: "invalid_member_get_fields",
      status_code: 400,
    });
    // A member of another organization is not found through this one.
    const otherOrg = await createOrg(server.client);
    await assert.rejects(
      server.client.organizations.members.get({
        organization_id: otherOrg.organization_id,
        member_id: member.member_id,
      }),
      { error_type: "member_not_found", status_code: 404 },
    );
    await assert.rejects(
      server.client.organizations.members.get({
        organization_id: "no-such-org",
        member_id: member.member_id,
      }),
      { error_type: "organization_not_found", status_code: 404 },
    );
  });
});
