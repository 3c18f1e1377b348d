import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sdkClient, startTestServer, type TestServer } from "./helpers/harness.js";

/**
 * Transport-level behaviour: project authentication, JSON errors for every status (unknown routes, wrong
 * methods, bad bodies), the public JWKS, and hostile request bodies. Raw HTTP where the SDK cannot send the
 * request, the SDK where it can.
 */

const ERROR_KEYS = ["error_message", "error_type", "error_url", "request_id", "status_code"];

/** Reads an error reply and checks the envelope: JSON, exactly the five fields, status mirrored. */
async function errorBody(response: Response, status: number, type: string): Promise<Record<string, unknown>> {
  assert.equal(response.status, status);
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  const body = (await response.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ERROR_KEYS, JSON.stringify(body));
  assert.equal(body.status_code, status);
  assert.equal(body.error_type, type);
  assert.match(String(body.request_id), /^request-id-test-/);
  assert.equal(typeof body.error_message, "string");
  assert.ok(String(body.error_message).length > 0);
  assert.equal(body.error_url, `https://stytch.com/docs/b2b/api/errors/${status}#${type}`);
  return body;
}

function basic(projectId: string, secret: string): string {
  return `Basic ${Buffer.from(`${projectId}:${secret}`).toString("base64")}`;
}

function withoutRequestId(body: Record<string, unknown>): Record<string, unknown> {
  const { request_id: _ignored, ...rest } = body;
  return rest;
}

describe("project authentication and routing", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it("answers a request without Authorization with 401 unauthorized_credentials", async () => {
    const response = await server.fetch("/v1/b2b/organizations/org-x", { auth: "none" });
    await errorBody(response, 401, "unauthorized_credentials");
  });

  it("answers a wrong secret and an unknown project id alike (401, same body but request_id)", async () => {
    const wrongSecret = await errorBody(
      await server.fetch("/v1/b2b/organizations/org-x", {
        auth: basic(server.project.project_id, `${server.project.secret}x`),
      }),
      401,
      "unauthorized_credentials",
    );
    const unknownProject = await errorBody(
      await server.fetch("/v1/b2b/organizations/org-x", {
        auth: basic("project-test-00000000-0000-4000-8000-000000000000", server.project.secret),
      }),
      401,
      "unauthorized_credentials",
    );
    assert.notEqual(wrongSecret.request_id, unknownProject.request_id);
    assert.deepEqual(withoutRequestId(wrongSecret), withoutRequestId(unknownProject));
  });

  it("turns an SDK call with bad credentials into a StytchError 401", async () => {
    const bad = sdkClient(server.url, { project_id: server.project.project_id, secret: "secret-test-nope" });
    await assert.rejects(bad.organizations.get({ organization_id: "org-x" }), {
      error_type: "unauthorized_credentials",
      status_code: 401,
    });
  });

  it("answers a non-Basic Authorization header with 400 invalid_authorization_header", async () => {
    await errorBody(
      await server.fetch("/v1/b2b/organizations/org-x", { auth: "Bearer abc.def.ghi" }),
      400,
      "invalid_authorization_header",
    );
    // Basic, but no colon in the decoded value.
    await errorBody(
      await server.fetch("/v1/b2b/organizations/org-x", {
        auth: `Basic ${Buffer.from("no-colon-here").toString("base64")}`,
      }),
      400,
      "invalid_authorization_header",
    );
  });

  it("answers an unknown route with a JSON 404 route_not_found", async () => {
    await errorBody(await server.fetch("/v1/b2b/nothing/here"), 404, "route_not_found");
    await errorBody(await server.fetch("/definitely-not-a-route", { auth: "none" }), 404, "route_not_found");
  });

  it("answers a malformed path or an over-long path parameter with a Stytch-shaped 400", async () => {
    await errorBody(await server.fetch("/v1/b2b/organizations/%E0%A4%A"), 400, "bad_request");
    await errorBody(await server.fetch(`/v1/b2b/organizations/${"a".repeat(600)}`), 400, "bad_request");
  });

  it("answers a wrong method on a known path with a JSON 405 method_not_allowed", async () => {
    const wrong = await server.fetch("/v1/b2b/organizations");
    assert.equal(wrong.headers.get("allow"), "POST", "a 405 names the methods the path allows");
    await errorBody(wrong, 405, "method_not_allowed");
    await errorBody(
      await server.fetch("/v1/b2b/sessions/authenticate", { method: "PUT", body: "{}" }),
      405,
      "method_not_allowed",
    );
    await errorBody(
      await server.fetch("/v1/b2b/organizations/some-org", { method: "PATCH", body: "{}" }),
      405,
      "method_not_allowed",
    );
  });

  it("serves the JWKS with and without an Authorization header", async () => {
    const path = `/v1/b2b/sessions/jwks/${server.project.project_id}`;
    for (const auth of ["none", "project"] as const) {
      const response = await server.fetch(path, { auth });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { keys: Record<string, unknown>[]; status_code: number };
      assert.equal(body.status_code, 200);
      assert.ok(body.keys.length >= 1);
      for (const key of body.keys) {
        assert.equal(key.kty, "RSA");
        assert.equal(key.use, "sig");
        assert.deepEqual(key.key_ops, ["verify"]);
        assert.equal(key.alg, "RS256");
        assert.match(String(key.kid), /^jwk-test-/);
        assert.equal(typeof key.n, "string");
        assert.equal(key.e, "AQAB");
      }
    }
    // The SDK's getJWKS sends credentials; it gets the same keys.
    const sdk = await server.client.sessions.getJWKS({ project_id: server.project.project_id });
    assert.ok(sdk.keys.length >= 1);
    assert.match(sdk.keys[0]!.kid, /^jwk-test-/);
  });

  it("answers the JWKS of an unknown project with a JSON 404", async () => {
    const response = await server.fetch("/v1/b2b/sessions/jwks/project-test-nope", { auth: "none" });
    await errorBody(response, 404, "project_not_found");
  });

  it("answers a non-JSON content type with 415", async () => {
    const response = await server.fetch("/v1/b2b/organizations", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "organization_name=x",
    });
    await errorBody(response, 415, "unsupported_media_type");
    const form = await server.fetch("/v1/b2b/organizations", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "organization_name=x",
    });
    await errorBody(form, 415, "unsupported_media_type");
  });

  it("answers invalid JSON with 400", async () => {
    const response = await server.fetch("/v1/b2b/organizations", {
      method: "POST",
      body: '{"organization_name":',
    });
    await errorBody(response, 400, "bad_request");
  });

  it("answers a deeply nested body with 400, not 500", async () => {
    const deep = `${"[".repeat(100)}${"]".repeat(100)}`;
    await errorBody(
      await server.fetch("/v1/b2b/organizations", { method: "POST", body: deep }),
      400,
      "bad_request",
    );
    const deepInField = `{"organization_name":"Deep","trusted_metadata":{"a":${"[".repeat(100)}${"]".repeat(100)}}}`;
    await errorBody(
      await server.fetch("/v1/b2b/organizations", { method: "POST", body: deepInField }),
      400,
      "bad_request",
    );
    // The server is unharmed.
    assert.equal((await server.fetch("/healthz", { auth: "none" })).status, 200);
  });

  it("answers a body with a __proto__ key with 400 and pollutes nothing", async () => {
    const top = await server.fetch("/v1/b2b/organizations", {
      method: "POST",
      body: '{"organization_name":"Proto","__proto__":{"polluted":true}}',
    });
    await errorBody(top, 400, "bad_request");
    const nested = await server.fetch("/v1/b2b/organizations", {
      method: "POST",
      body: '{"organization_name":"Proto","trusted_metadata":{"__proto__":{"polluted":true}}}',
    });
    await errorBody(nested, 400, "bad_request");
    const ctor = await server.fetch("/v1/b2b/organizations", {
      method: "POST",
      body: '{"organization_name":"Proto","trusted_metadata":{"constructor":{"prototype":{"polluted":true}}}}',
    });
    await errorBody(ctor, 400, "bad_request");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("answers a 1 MB body with 413", async () => {
    const big = JSON.stringify({
      organization_name: "Big",
      trusted_metadata: { blob: "x".repeat(1024 * 1024) },
    });
    await errorBody(
      await server.fetch("/v1/b2b/organizations", { method: "POST", body: big }),
      413,
      "request_body_too_large",
    );
  });

  it("answers GET /healthz with 200 and no credentials", async () => {
    const response = await server.fetch("/healthz", { auth: "none" });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "ok", database: "ok" });
  });

  it("answers a DELETE with a {} JSON body (as the SDK sends it) with a JSON error, not a crash", async () => {
    // A path without a DELETE route gives 405, an unknown path 404, both JSON.
    const known = await server.fetch("/v1/b2b/sessions/authenticate", { method: "DELETE", body: "{}" });
    await errorBody(known, 405, "method_not_allowed");
    const unknown = await server.fetch("/v1/b2b/no-such-resource/some-id", { method: "DELETE", body: "{}" });
    await errorBody(unknown, 404, "route_not_found");
    // Through the SDK, a DELETE that reaches its route surfaces errors as a StytchError.
    await assert.rejects(server.client.organizations.delete({ organization_id: "some-org" }), {
      status_code: 404,
      error_type: "organization_not_found",
    });
  });

  it("accepts a GET with Content-Type application/json and no body (as the SDK sends it)", async () => {
    const response = await server.fetch("/v1/b2b/organizations/no-such-org", {
      headers: { "content-type": "application/json" },
    });
    await errorBody(response, 404, "organization_not_found");
  });
});
