import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildEmailLink } from "./redirect-urls.js";

const TOKEN = "Ab-_0123456789abcdefghijklmnopqrstuvwxyzABCD=";

describe("buildEmailLink", () => {
  it("appends slug, stytch_token_type and token to a URL without a query", () => {
    const link = buildEmailLink("http://localhost:3000/authenticate", {
      slug: "acme",
      tokenType: "multi_tenant_magic_links",
      token: TOKEN,
    });
    assert.equal(
      link,
      `http://localhost:3000/authenticate?slug=acme&stytch_token_type=multi_tenant_magic_links&token=${TOKEN}`,
    );
    const url = new URL(link);
    assert.equal(url.searchParams.get("slug"), "acme");
    assert.equal(url.searchParams.get("stytch_token_type"), "multi_tenant_magic_links");
    assert.equal(url.searchParams.get("token"), TOKEN);
  });

  it("keeps an existing query", () => {
    const link = buildEmailLink("https://app.example.com/reset?next=%2Fhome&x=1", {
      slug: "acme",
      tokenType: "multi_tenant_passwords",
      token: TOKEN,
    });
    assert.equal(
      link,
      `https://app.example.com/reset?next=%2Fhome&x=1&slug=acme&stytch_token_type=multi_tenant_passwords&token=${TOKEN}`,
    );
    const url = new URL(link);
    assert.equal(url.searchParams.get("next"), "/home");
    assert.equal(url.searchParams.get("x"), "1");
    assert.equal(url.searchParams.get("token"), TOKEN);
  });

  it("adds no extra separator after a trailing ? or &", () => {
    const params = { slug: "acme", tokenType: "multi_tenant_magic_links", token: TOKEN } as const;
    assert.equal(
      buildEmailLink("https://app.example.com/a?", params),
      `https://app.example.com/a?slug=acme&stytch_token_type=multi_tenant_magic_links&token=${TOKEN}`,
    );
    assert.equal(
      buildEmailLink("https://app.example.com/a?x=1&", params),
      `https://app.example.com/a?x=1&slug=acme&stytch_token_type=multi_tenant_magic_links&token=${TOKEN}`,
    );
  });

  it("inserts the parameters before a fragment", () => {
    const params = { slug: "acme", tokenType: "multi_tenant_magic_links", token: TOKEN } as const;
    const link = buildEmailLink("https://app.example.com/spa#/login", params);
    assert.equal(
      link,
      `https://app.example.com/spa?slug=acme&stytch_token_type=multi_tenant_magic_links&token=${TOKEN}#/login`,
    );
    assert.equal(new URL(link).hash, "#/login");
    assert.equal(new URL(link).searchParams.get("token"), TOKEN);

    const withQuery = buildEmailLink("https://app.example.com/spa?x=1#frag?not=query", params);
    assert.equal(
      withQuery,
      `https://app.example.com/spa?x=1&slug=acme&stytch_token_type=multi_tenant_magic_links&token=${TOKEN}#frag?not=query`,
    );
  });

  it("leaves the token's '=' pad unescaped", () => {
    const link = buildEmailLink("http://localhost:3000/authenticate", {
      slug: "acme",
      tokenType: "multi_tenant_magic_links",
      token: TOKEN,
    });
    assert.ok(link.endsWith(`token=${TOKEN}`));
    assert.ok(link.endsWith("="));
    assert.ok(!link.includes("%3D"));
  });

  it("carries slugs with every allowed character verbatim", () => {
    const link = buildEmailLink("http://localhost:3000/a", {
      slug: "a.b_c~d-E9",
      tokenType: "multi_tenant_magic_links",
      token: TOKEN,
    });
    assert.equal(new URL(link).searchParams.get("slug"), "a.b_c~d-E9");
    assert.ok(link.includes("slug=a.b_c~d-E9&"));
  });
});
