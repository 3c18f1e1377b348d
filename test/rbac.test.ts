import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { activeMember, createOrg, type TestOrg, uniq } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";

/**
 * RBAC: the default policy as GET /v1/b2b/rbac/policy and the (empty) organization policy, and the SDK's
 * authenticateJwtLocal / authenticateJwt with an authorization_check, which fetch both and decide locally
 * (or ask sessions/authenticate remotely) with the same policy the server enforces.
 */

describe("rbac", () => {
  let server: TestServer;
  let org: TestOrg;
  before(async () => {
    server = await startTestServer();
    org = await createOrg(server.client, "RBAC");
  });
  after(() => server.stop());

  /** The SDK verifies JWTs against real time unless told otherwise; the server runs on the manual clock. */
  const currentDate = () => new Date(server.clock.now());

  async function adminJwt(): Promise<string> {
    const email = `admin-${uniq()}@${org.domain}`;
    const password = `Admin ${uniq()} watchtower`;
    await server.client.passwords.migrate({
      organization_id: org.organization_id,
      email_address: email,
      hash: createHash("sha512").update(password).digest("hex"),
      hash_type: "sha_512",
      roles: ["stytch_admin"],
    });
    const auth = await server.client.passwords.authenticate({
      organization_id: org.organization_id,
      email_address: email,
      password,
    });
    return auth.session_jwt;
  }

  it("serves the default policy: stytch_admin, stytch_member, the stytch.* resources, no scopes", async () => {
    const { policy, status_code, request_id } = await server.client.rbac.policy();
    assert.equal(status_code, 200);
    assert.match(request_id, /^request-id-test-/);
    assert.ok(policy);
    const roles = Object.fromEntries(policy.roles.map((r) => [r.role_id, r]));
    assert.deepEqual(Object.keys(roles).sort(), ["stytch_admin", "stytch_member"]);
    assert.deepEqual(roles.stytch_member?.permissions, [{ resource_id: "stytch.self", actions: ["*"] }]);
    assert.deepEqual(
      roles.stytch_admin?.permissions.map((p) => p.resource_id),
      ["stytch.organization", "stytch.member", "stytch.self", "stytch.sso", "stytch.scim"],
    );
    assert.ok(roles.stytch_admin?.permissions.every((p) => p.actions.includes("*")));
    const member = policy.resources.find((r) => r.resource_id === "stytch.member");
    assert.ok(member?.actions.includes("revoke-sessions"));
    assert.ok(policy.resources.every((r) => typeof r.description === "string" && r.description.length > 0));
    assert.deepEqual(policy.scopes, []);
  });

  it("serves an empty organization policy for an existing org (id or slug), 404 for an unknown one", async () => {
    for (const ref of [org.organization_id, org.organization_slug]) {
      const res = await server.client.rbac.organizations.getOrgPolicy({ organization_id: ref });
      assert.deepEqual(res.org_policy, { roles: [] });
    }
    await assert.rejects(
      server.client.rbac.organizations.getOrgPolicy({ organization_id: `nope-${uniq()}` }),
      {
        error_type: "organization_not_found",
        status_code: 404,
      },
    );
  });

  it("authenticateJwtLocal with authorization_check: allows admins, refuses members and other tenants", async () => {
    const admin = await adminJwt();
    const session = await server.client.sessions.authenticateJwtLocal({
      session_jwt: admin,
      current_date: currentDate(),
      authorization_check: {
        organization_id: org.organization_id,
        resource_id: "stytch.member",
        action: "delete",
      },
    });
    assert.deepEqual(session.roles, ["stytch_member", "stytch_admin"]);

    const member = await activeMember(server, org);
    const self = await server.client.sessions.authenticateJwtLocal({
      session_jwt: member.session_jwt,
      current_date: currentDate(),
      authorization_check: {
        organization_id: org.organization_id,
        resource_id: "stytch.self",
        action: "delete",
      },
    });
    assert.equal(self.member_id, member.member_id);
    await assert.rejects(
      server.client.sessions.authenticateJwtLocal({
        session_jwt: member.session_jwt,
        current_date: currentDate(),
        authorization_check: {
          organization_id: org.organization_id,
          resource_id: "stytch.member",
          action: "delete",
        },
      }),
      { code: "invalid_permissions" },
    );
    await assert.rejects(
      server.client.sessions.authenticateJwtLocal({
        session_jwt: admin,
        current_date: currentDate(),
        authorization_check: {
          organization_id: `organization-test-${uniq()}`,
          resource_id: "stytch.self",
          action: "x",
        },
      }),
      { code: "tenancy_mismatch" },
    );
  });

  it("authenticateJwt: the remote path enforces the same policy, with a verdict", async () => {
    const admin = await adminJwt();
    const member = await activeMember(server, org);
    const check = {
      organization_id: org.organization_id,
      resource_id: "stytch.organization",
      action: "delete",
    };
    // max_token_age_seconds 0 forces sessions/authenticate on the server.
    const remote = (await server.client.sessions.authenticateJwt({
      session_jwt: admin,
      max_token_age_seconds: 0,
      authorization_check: check,
    })) as { verdict?: { authorized: boolean; granting_roles: string[] } };
    assert.deepEqual(remote.verdict, { authorized: true, granting_roles: ["stytch_admin"] });
    await assert.rejects(
      server.client.sessions.authenticateJwt({
        session_jwt: member.session_jwt,
        max_token_age_seconds: 0,
        authorization_check: check,
      }),
      { error_type: "session_authorization_error", status_code: 403 },
    );
    // Without max_token_age_seconds the SDK decides locally first; any local failure (here the refused check)
    // falls back to sessions/authenticate, which refuses too.
    await assert.rejects(
      server.client.sessions.authenticateJwt({ session_jwt: member.session_jwt, authorization_check: check }),
      { error_type: "session_authorization_error", status_code: 403 },
    );
  });
});
