import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ServerKey } from "../src/crypto/server-key.js";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.js";

/**
 * The `gatehouse` command as a user runs it: the built bin/gatehouse.js in a child process, configured only by
 * its environment, against a real database (SQLite, or PostgreSQL when GATEHOUSE_TEST_DIALECT=postgres).
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "gatehouse.js");

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The parent's environment without any Gatehouse setting a developer may have exported, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("GATEHOUSE_") || ["PORT", "HOST", "LOG_LEVEL"].includes(key)) continue;
    clean[key] = value;
  }
  return { ...clean, ...env };
}

function collect(child: ChildProcess): Promise<Run> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function run(command: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Run> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
    timeout: timeoutMs,
  });
  return collect(child);
}

function gatehouse(args: string[], env: Record<string, string>): Promise<Run> {
  return run(process.execPath, [BIN, ...args], env);
}

/** Runs the command, asserts exit 0, and parses its stdout as exactly one JSON value. */
async function gatehouseJson<T>(args: string[], env: Record<string, string>): Promise<T> {
  const result = await gatehouse(args, env);
  assert.equal(result.code, 0, `gatehouse ${args.join(" ")} failed:\n${result.stderr}`);
  const lines = result.stdout.trim().split("\n");
  assert.equal(lines.length, 1, `expected one line of JSON, got:\n${result.stdout}`);
  return JSON.parse(lines[0]!) as T;
}

/** A port that was free a moment ago: listen on 0, read the port, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function basic(projectId: string, secret: string): string {
  return `Basic ${Buffer.from(`${projectId}:${secret}`).toString("base64")}`;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts the server as `command args` with `env`; `exited` settles once it has stopped. */
function startServe(command: string, args: string[], env: Record<string, string>) {
  const child = spawn(command, args, { cwd: ROOT, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  return { child, exited: collect(child) };
}

/** Resolves once the server on `port` answers GET /healthz with 200. */
function healthy(port: number): Promise<true> {
  return waitFor(`GET /healthz on ${port}`, async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    return response.status === 200 ? true : undefined;
  });
}

interface Credentials {
  project_id: string;
  secret: string;
  public_token: string;
}

interface RedirectUrl {
  url: string;
  type: string;
  is_default: boolean;
}

describe("gatehouse CLI", () => {
  const dirs: string[] = [];
  const databases: TestDatabase[] = [];

  /** Environment for a fresh, empty database (PostgreSQL needs a shared server key; SQLite keeps a key file). */
  async function freshDatabase(): Promise<{ env: Record<string, string>; dir: string }> {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-cli-"));
    dirs.push(dir);
    const database = await createTestDatabase(dir);
    databases.push(database);
    const env: Record<string, string> = { GATEHOUSE_DATABASE_URL: database.url, LOG_LEVEL: "warn" };
    if (!database.url.startsWith("sqlite:")) env.GATEHOUSE_SECRET_KEY = ServerKey.random().export();
    return { env, dir };
  }

  let env: Record<string, string>;
  let dir: string;

  before(async () => {
    // Self-contained: the CLI runs from dist/, so build it from the current sources first.
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const build = await run(npm, ["run", "build"], {}, 180_000);
    assert.equal(build.code, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
    ({ env, dir } = await freshDatabase());
  });

  after(async () => {
    for (const database of databases) await database.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("projects create --json prints exactly one JSON object with test-environment credentials", async () => {
    const created = await gatehouseJson<Credentials>(["projects", "create", "--name", "acme", "--json"], env);
    assert.deepEqual(Object.keys(created).sort(), ["project_id", "public_token", "secret"]);
    assert.match(created.project_id, /^project-test-[0-9a-f-]{36}$/);
    assert.match(created.secret, /^secret-test-[A-Za-z0-9_-]+$/);
    assert.match(created.public_token, /^public-token-test-[0-9a-f-]{36}$/);
    if (env.GATEHOUSE_DATABASE_URL!.startsWith("sqlite:")) {
      // No GATEHOUSE_SECRET_KEY with SQLite: the server key is a file beside the database, readable by its owner only.
      const key = statSync(join(dir, "gatehouse.key"));
      assert.equal(key.mode & 0o777, 0o600);
    }
  });

  it("projects create --live makes a live project, and projects list --json lists every project", async () => {
    const live = await gatehouseJson<Credentials>(
      ["projects", "create", "--name", "acme-live", "--live", "--json"],
      env,
    );
    assert.match(live.project_id, /^project-live-/);
    assert.match(live.secret, /^secret-live-/);
    assert.match(live.public_token, /^public-token-live-/);

    const list = await gatehouseJson<{ project_id: string; name: string; environment: string }[]>(
      ["projects", "list", "--json"],
      env,
    );
    const acme = list.find((p) => p.name === "acme");
    const acmeLive = list.find((p) => p.project_id === live.project_id);
    assert.ok(acme, "the project from the first test is listed");
    assert.equal(acme.environment, "test");
    assert.equal(acmeLive?.name, "acme-live");
    assert.equal(acmeLive?.environment, "live");
    assert.ok(
      list.every((p) => !("secret" in p)),
      "a listing never shows secrets",
    );
  });

  it("secrets create prints a new secret for the project", async () => {
    const project = await gatehouseJson<Credentials>(["projects", "create", "--name", "s", "--json"], env);
    const result = await gatehouse(["secrets", "create", "--project", project.project_id], env);
    assert.equal(result.code, 0, result.stderr);
    const secret = /secret-test-[A-Za-z0-9_-]+/.exec(result.stdout)?.[0];
    assert.ok(secret, `no secret in:\n${result.stdout}`);
    assert.notEqual(secret, project.secret);

    const unknown = await gatehouse(["secrets", "create", "--project", "project-test-nope"], env);
    assert.notEqual(unknown.code, 0);
  });

  it("keys rotate publishes a new signing key that signs after the grace period; keys list shows the states", async () => {
    const project = await gatehouseJson<Credentials>(["projects", "create", "--name", "k", "--json"], env);
    type Key = { kid: string; state: string };
    const before = await gatehouseJson<Key[]>(
      ["keys", "list", "--project", project.project_id, "--json"],
      env,
    );
    assert.deepEqual(
      before.map((k) => k.state),
      ["signing"],
    );
    const pending = await gatehouseJson<{ kid: string }>(
      ["keys", "rotate", "--project", project.project_id, "--grace-seconds", "600", "--json"],
      env,
    );
    const during = await gatehouseJson<Key[]>(
      ["keys", "list", "--project", project.project_id, "--json"],
      env,
    );
    assert.deepEqual(
      during.map((k) => [k.kid, k.state]),
      [
        [pending.kid, "pending"],
        [before[0]?.kid, "signing"],
      ],
    );
    const now = await gatehouseJson<{ kid: string }>(
      ["keys", "rotate", "--project", project.project_id, "--grace-seconds", "0", "--json"],
      env,
    );
    const after = await gatehouseJson<Key[]>(
      ["keys", "list", "--project", project.project_id, "--json"],
      env,
    );
    assert.equal(after.find((k) => k.kid === now.kid)?.state, "signing");
    assert.equal(after.filter((k) => k.state === "signing").length, 1, "exactly one key signs");
    const bad = await gatehouse(
      ["keys", "rotate", "--project", project.project_id, "--grace-seconds", "-1"],
      env,
    );
    assert.notEqual(bad.code, 0);
  });

  it("redirect-urls: every type defaults to http://localhost:3000/authenticate; add --default replaces it", async () => {
    const project = await gatehouseJson<Credentials>(["projects", "create", "--name", "r", "--json"], env);
    const list = () =>
      gatehouseJson<RedirectUrl[]>(["redirect-urls", "list", "--project", project.project_id, "--json"], env);

    const initial = await list();
    for (const type of ["login", "signup", "invite", "reset_password", "discovery"]) {
      assert.ok(
        initial.some(
          (u) => u.type === type && u.url === "http://localhost:3000/authenticate" && u.is_default,
        ),
        `default ${type} URL missing in ${JSON.stringify(initial)}`,
      );
    }

    const added = await gatehouse(
      [
        "redirect-urls",
        "add",
        "--project",
        project.project_id,
        "--url",
        "https://app.example.com/cb",
        "--type",
        "login",
        "--default",
      ],
      env,
    );
    assert.equal(added.code, 0, added.stderr);

    const after = await list();
    const logins = after.filter((u) => u.type === "login");
    assert.deepEqual(
      logins.filter((u) => u.is_default).map((u) => u.url),
      ["https://app.example.com/cb"],
      "the new URL is the one login default",
    );
    assert.ok(logins.some((u) => u.url === "http://localhost:3000/authenticate" && !u.is_default));
    assert.ok(
      after.some(
        (u) => u.type === "signup" && u.url === "http://localhost:3000/authenticate" && u.is_default,
      ),
      "other types keep their default",
    );
  });

  it("migrate exits 0 (and again on an up-to-date database)", async () => {
    const first = await gatehouse(["migrate"], env);
    assert.equal(first.code, 0, first.stderr);
    const second = await gatehouse(["migrate"], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /up to date/);
  });

  it("an invalid environment fails every command with a message naming the variable", async () => {
    for (const args of [["migrate"], ["projects", "list"], ["serve"]]) {
      const result = await gatehouse(args, { ...env, PORT: "abc" });
      assert.notEqual(result.code, 0, `gatehouse ${args.join(" ")} should fail`);
      assert.match(result.stderr, /PORT/);
    }
    const badDb = await gatehouse(["projects", "list"], { GATEHOUSE_DATABASE_URL: "mysql://x" });
    assert.notEqual(badDb.code, 0);
    assert.match(badDb.stderr, /GATEHOUSE_DATABASE_URL/);
  });

  it("an unknown command or missing flag is a usage error", async () => {
    const unknown = await gatehouse(["frobnicate"], env);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /Usage: gatehouse/);
    const missing = await gatehouse(["projects", "create"], env);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /--name/);
  });

  it("serve: prints first-project credentials on an empty database, answers, and stops on SIGTERM", async () => {
    const fresh = await freshDatabase();
    const port = await freePort();
    const serverEnv = { ...fresh.env, PORT: String(port), HOST: "127.0.0.1" };
    const child = spawn(process.execPath, [BIN, "serve"], {
      cwd: ROOT,
      env: childEnv(serverEnv),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = collect(child);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      const health = await waitFor("GET /healthz", async () => {
        const response = await fetch(`${base}/healthz`);
        return response.status === 200 ? ((await response.json()) as { status: string }) : undefined;
      });
      assert.equal(health.status, "ok");

      const projectId = /project_id:\s+(project-test-[0-9a-f-]{36})/.exec(output)?.[1];
      const secret = /secret:\s+(secret-test-[A-Za-z0-9_-]+)/.exec(output)?.[1];
      assert.ok(projectId && secret, `no first-project credentials in:\n${output}`);
      assert.match(output, new RegExp(`export GATEHOUSE_PROJECT_ID=${projectId}`));

      // The printed credentials work against the server...
      const first = await fetch(`${base}/v1/b2b/organizations/nope`, {
        headers: { authorization: basic(projectId, secret) },
      });
      assert.equal(first.status, 404);
      assert.equal(((await first.json()) as { error_type: string }).error_type, "organization_not_found");

      // ...and so does a project created by the CLI against the same database while the server runs.
      const created = await gatehouseJson<Credentials>(
        ["projects", "create", "--name", "beside-serve", "--json"],
        fresh.env,
      );
      const withCreated = await fetch(`${base}/v1/b2b/organizations/nope`, {
        headers: { authorization: basic(created.project_id, created.secret) },
      });
      assert.equal(withCreated.status, 404, "not 401: the new secret authenticates");
      assert.equal(
        ((await withCreated.json()) as { error_type: string }).error_type,
        "organization_not_found",
      );

      const wrong = await fetch(`${base}/v1/b2b/organizations/nope`, {
        headers: { authorization: basic(created.project_id, `${created.secret}x`) },
      });
      assert.equal(wrong.status, 401);
    } finally {
      child.kill("SIGTERM");
    }
    const result = await exited;
    assert.equal(result.code, 0, `serve did not exit cleanly on SIGTERM:\n${result.stderr}`);

    // A second start on the same (no longer empty) database creates no project and prints no credentials.
    const port2 = await freePort();
    const { child: again, exited: againExited } = startServe(process.execPath, [BIN, "serve"], {
      ...serverEnv,
      PORT: String(port2),
    });
    try {
      await healthy(port2);
    } finally {
      again.kill("SIGTERM");
    }
    const second = await againExited;
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stdout, /created a first test project/);
    const projects = await gatehouseJson<unknown[]>(["projects", "list", "--json"], fresh.env);
    assert.equal(projects.length, 2, "the first project and the CLI's, nothing more");
  });

  it("the bin run by its shebang starts node with the flags npm start passes (the young-generation cap)", async () => {
    // bin/gatehouse.js explains the flags; both ways of starting the server must carry the same ones.
    const shebang = readFileSync(BIN, "utf8").split("\n", 1)[0] ?? "";
    const match = /^#!\/usr\/bin\/env -S node((?: --[\w-]+=\S+)+)$/.exec(shebang);
    assert.ok(match?.[1], `unexpected shebang: ${shebang}`);
    const flags = match[1].trim();
    assert.match(flags, /--max-semi-space-size=\d+/);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: { start: string };
    };
    assert.equal(pkg.scripts.start, `node ${flags} bin/gatehouse.js serve`);

    // Executed as a program (as npx and an npm-linked `gatehouse` run it), env -S hands node those flags.
    const fresh = await freshDatabase();
    const port = await freePort();
    const { child, exited } = startServe(BIN, ["serve"], {
      ...fresh.env,
      PORT: String(port),
      HOST: "127.0.0.1",
    });
    try {
      await healthy(port);
      const argv = readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      assert.deepEqual(argv.slice(1, -2), flags.split(" "), `argv: ${argv.join(" ")}`);
      assert.deepEqual(argv.slice(-2), [BIN, "serve"]);
    } finally {
      child.kill("SIGTERM");
    }
    const result = await exited;
    assert.equal(result.code, 0, result.stderr);
  });
});
