import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AuthError } from "../errors/auth-error.js";
import type { ErrorType } from "../errors/codes.js";
import {
  allowsEmailJit,
  assertValidSlug,
  DEFAULT_ORGANIZATION_SETTINGS,
  normalizeAllowedDomains,
  type Organization,
  type Provisioning,
} from "./organization.js";

function throwsAuthError(fn: () => unknown, type: ErrorType): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AuthError, `expected AuthError, got ${String(error)}`);
    assert.equal(error.type, type);
    return true;
  });
}

function organization(jit: Provisioning, domains: string[] = []): Organization {
  return {
    ...DEFAULT_ORGANIZATION_SETTINGS,
    organization_id: "organization-test-11111111-1111-4111-8111-111111111111",
    project_id: "project-test-22222222-2222-4222-8222-222222222222",
    organization_name: "Acme",
    organization_slug: "acme",
    organization_logo_url: "",
    organization_external_id: null,
    trusted_metadata: {},
    created_at: 0,
    updated_at: 0,
    email_jit_provisioning: jit,
    email_allowed_domains: domains,
  };
}

describe("assertValidSlug", () => {
  for (const slug of ["ab", "a.b_c~d-e", "A1", "x".repeat(128)]) {
    it(`accepts ${slug.length > 20 ? `${slug.length} characters` : JSON.stringify(slug)}`, () => {
      assert.doesNotThrow(() => assertValidSlug(slug));
    });
  }

  for (const slug of [
    "a",
    "",
    "x".repeat(129),
    "a b",
    "x' OR '1'='1",
    ".",
    "..",
    "a/b",
    "ab\n",
    "émile",
    "a%20b",
  ]) {
    it(`rejects ${slug.length > 20 ? `${slug.length} characters` : JSON.stringify(slug)}`, () => {
      throwsAuthError(() => assertValidSlug(slug), "invalid_organization_slug");
    });
  }
});

describe("normalizeAllowedDomains", () => {
  it("lower-cases, trims, drops a trailing dot and dedupes, keeping order", () => {
    assert.deepEqual(
      normalizeAllowedDomains(["Example.COM", " example.com ", "sub.Other.org", "example.com."]),
      ["example.com", "sub.other.org"],
    );
    assert.deepEqual(normalizeAllowedDomains([]), []);
  });

  it("rejects public mailbox providers with organization_settings_domain_too_common", () => {
    throwsAuthError(() => normalizeAllowedDomains(["gmail.com"]), "organization_settings_domain_too_common");
    throwsAuthError(
      () => normalizeAllowedDomains(["example.com", "GMAIL.COM"]),
      "organization_settings_domain_too_common",
    );
  });

  for (const domain of [
    "not a domain",
    "",
    "localhost",
    "exa_mple.com",
    "-bad.com",
    "a@b.com",
    "example.c",
  ]) {
    it(`rejects ${JSON.stringify(domain)} with invalid_email_domain`, () => {
      throwsAuthError(() => normalizeAllowedDomains([domain]), "invalid_email_domain");
    });
  }
});

describe("allowsEmailJit", () => {
  it("refuses everyone when NOT_ALLOWED, even from a listed domain", () => {
    assert.equal(allowsEmailJit(organization("NOT_ALLOWED", ["acme.com"]), "ann@acme.com"), false);
    assert.equal(allowsEmailJit(organization("NOT_ALLOWED"), "ann@other.com"), false);
  });

  it("when RESTRICTED, allows exactly the listed domains", () => {
    const org = organization("RESTRICTED", ["acme.com", "acme.io"]);
    assert.equal(allowsEmailJit(org, "ann@acme.com"), true);
    assert.equal(allowsEmailJit(org, "bob@acme.io"), true);
    assert.equal(allowsEmailJit(org, "eve@evil.com"), false);
    // Subdomains and look-alikes are not the listed domain.
    assert.equal(allowsEmailJit(org, "eve@sub.acme.com"), false);
    assert.equal(allowsEmailJit(org, "eve@notacme.com"), false);
    assert.equal(allowsEmailJit(org, "acme.com@evil.com"), false);
    assert.equal(allowsEmailJit(organization("RESTRICTED"), "ann@acme.com"), false);
  });

  it("allows everyone when ALL_ALLOWED", () => {
    assert.equal(allowsEmailJit(organization("ALL_ALLOWED"), "anyone@anywhere.org"), true);
  });

  it("defaults to NOT_ALLOWED", () => {
    assert.equal(DEFAULT_ORGANIZATION_SETTINGS.email_jit_provisioning, "NOT_ALLOWED");
  });
});
