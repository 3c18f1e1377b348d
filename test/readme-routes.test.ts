import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./helpers/harness.js";

/**
 * The README's table of supported routes cannot drift: its (method, path) rows must be exactly the /v1/b2b
 * routes the server registers (read from the OpenAPI document generated from the route definitions), and
 * every SDK method it names must exist on the official SDK's B2BClient.
 */
const README = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");

function readmeRows(): { method: string; path: string; sdk: string[] }[] {
  const section = README.slice(README.indexOf("## Supported routes"));
  const table = section.slice(0, section.indexOf("\n\n", section.indexOf("| Method")));
  return table
    .split("\n")
    .filter((line) => /^\| (GET|POST|PUT|DELETE) \|/.test(line))
    .map((line) => {
      const [, method = "", pathCell = "", sdkCell = ""] = line.split("|").map((c) => c.trim());
      const path = (/`([^`]+)`/.exec(pathCell)?.[1] ?? "").replace(/\?.*$/, "");
      const sdk = [...sdkCell.matchAll(/`([A-Za-z.]+)`/g)].map((m) => m[1] ?? "");
      return { method, path, sdk };
    });
}

describe("README route table", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it("lists exactly the /v1/b2b routes the server serves", async () => {
    const doc = (await (await server.fetch("/openapi.json", { auth: "none" })).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const served = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith("/v1/b2b/"))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((route) => !route.startsWith("HEAD "))
      .sort();
    const documented = readmeRows()
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    assert.deepEqual(documented, served);
  });

  it("names only SDK methods that exist on B2BClient", () => {
    const client = server.client as unknown as Record<string, unknown>;
    for (const row of readmeRows()) {
      assert.ok(row.sdk.length > 0, `${row.method} ${row.path} names no SDK method`);
      for (const name of row.sdk) {
        const fn = name
          .split(".")
          .reduce<unknown>((obj, key) => (obj as Record<string, unknown> | undefined)?.[key], client);
        assert.equal(typeof fn, "function", `${name} is not a B2BClient method`);
      }
    }
  });
});
