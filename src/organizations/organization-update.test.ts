import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AuthError } from "../errors/auth-error.js";
import { DEFAULT_ORGANIZATION_SETTINGS, type Organization } from "./organization.js";
import { applyUpdate, memberUpdatePermissions } from "./organization-update.js";

const org: Organization = {
  ...DEFAULT_ORGANIZATION_SETTINGS,
  organization_id: "organization-test-11111111-1111-4111-8111-111111111111",
  project_id: "project-test-22222222-2222-4222-8222-222222222222",
  organization_name: "Acme",
  organization_slug: "acme",
  organization_logo_url: "",
  organization_external_id: "acme-ext",
  trusted_metadata: { tier: 1 },
  created_at: 1_000,
  updated_at: 5_000,
};

function refuses(fn: () => unknown, type: string): void {
  assert.throws(fn, (error: unknown) => error instanceof AuthError && error.type === type);
}

describe("applyUpdate", () => {
  it("changes only supplied fields and moves updated_at forward, even within one tick", () => {
    const next = applyUpdate(org, { organization_name: "Acme 2" }, 5_000);
    assert.deepEqual({ ...next, organization_name: "Acme", updated_at: 5_000 }, org);
    assert.equal(next.updated_at, 5_001);
    assert.equal(applyUpdate(org, {}, 9_000).updated_at, 9_000);
  });

  it("normalises domains and turns an empty default SSO connection into null", () => {
    const next = applyUpdate(
      org,
      { email_allowed_domains: ["A.example.COM", "a.example.com."], sso_default_connection_id: "" },
      6_000,
    );
    assert.deepEqual(next.email_allowed_domains, ["a.example.com"]);
    assert.equal(next.sso_default_connection_id, null);
  });

  it("refuses what create refuses, judged on the merged result", () => {
    refuses(
      () => applyUpdate(org, { auth_methods: "RESTRICTED" }, 6_000),
      "allowed_auth_methods_required_for_restricted",
    );
    const restricted = applyUpdate(org, { auth_methods: "RESTRICTED", allowed_auth_methods: ["sso"] }, 6_000);
    refuses(
      () => applyUpdate(restricted, { allowed_auth_methods: [] }, 7_000),
      "allowed_auth_methods_required_for_restricted",
    );
    refuses(
      () => applyUpdate(org, { mfa_policy: "REQUIRED_FOR_ALL" }, 6_000),
      "invalid_organization_settings",
    );
    refuses(() => applyUpdate(org, { organization_slug: "." }, 6_000), "invalid_organization_slug");
  });

  it("requires one provisioning setting to stay enabled, only when the update touches them", () => {
    const closed = { ...org, sso_jit_provisioning: "NOT_ALLOWED", email_invites: "NOT_ALLOWED" } as const;
    refuses(
      () => applyUpdate(org, { sso_jit_provisioning: "NOT_ALLOWED", email_invites: "NOT_ALLOWED" }, 6_000),
      "organization_settings_provisioning_required",
    );
    assert.equal(
      applyUpdate(closed, { organization_name: "Still closed" }, 6_000).organization_name,
      "Still closed",
    );
    assert.equal(
      applyUpdate(closed, { email_jit_provisioning: "RESTRICTED" }, 6_000).email_jit_provisioning,
      "RESTRICTED",
    );
  });
});

describe("memberUpdatePermissions", () => {
  it("lists each supplied field's action once and flags trusted_metadata", () => {
    assert.deepEqual(
      memberUpdatePermissions({
        organization_name: "x",
        auth_methods: "RESTRICTED",
        allowed_auth_methods: ["sso"],
      }),
      { actions: ["update.info.name", "update.settings.allowed-auth-methods"], forbidden: false },
    );
    assert.deepEqual(memberUpdatePermissions({ trusted_metadata: {} }), { actions: [], forbidden: true });
    assert.deepEqual(memberUpdatePermissions({}), { actions: [], forbidden: false });
  });
});
