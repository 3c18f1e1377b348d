import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "./load.js";

const VALID_HEX_KEY = "0123456789abcdef".repeat(4);

function assertConfigError(env: Record<string, string>, variable: string): void {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
      assert.equal(error.variable, variable);
      assert.ok(error.message.includes(variable), `message "${error.message}" should name ${variable}`);
      return true;
    },
  );
}

describe("loadConfig defaults", () => {
  it("uses PORT 4000, HOST 127.0.0.1 and the SQLite file under ./data", () => {
    const config = loadConfig({});
    assert.equal(config.port, 4000);
    assert.equal(config.host, "127.0.0.1");
    assert.deepEqual(config.database, { kind: "sqlite", path: "./data/gatehouse.db" });
    assert.equal(config.publicUrl, "http://127.0.0.1:4000");
    assert.equal(config.logLevel, "info");
    assert.equal(config.trustProxy, false);
    assert.equal(config.secretKey, null);
  });

  it("turns the dev outbox on without SMTP and off with SMTP", () => {
    const withoutSmtp = loadConfig({});
    assert.equal(withoutSmtp.smtpUrl, null);
    assert.equal(withoutSmtp.devOutbox, true);

    const withSmtp = loadConfig({ GATEHOUSE_SMTP_URL: "smtp://mail.example.com:2525" });
    assert.equal(withSmtp.smtpUrl, "smtp://mail.example.com:2525");
    assert.equal(withSmtp.devOutbox, false);
  });

  it("lets GATEHOUSE_DEV_OUTBOX override the SMTP-based default", () => {
    assert.equal(
      loadConfig({ GATEHOUSE_SMTP_URL: "smtps://mail.example.com", GATEHOUSE_DEV_OUTBOX: "true" }).devOutbox,
      true,
    );
    assert.equal(loadConfig({ GATEHOUSE_DEV_OUTBOX: "0" }).devOutbox, false);
  });

  it("reads explicit values and strips trailing slashes from the public URL", () => {
    const config = loadConfig({
      PORT: "8080",
      HOST: "0.0.0.0",
      GATEHOUSE_PUBLIC_URL: "https://auth.example.com//",
      LOG_LEVEL: "debug",
      GATEHOUSE_DATABASE_URL: "sqlite::memory:",
    });
    assert.equal(config.port, 8080);
    assert.equal(config.host, "0.0.0.0");
    assert.equal(config.publicUrl, "https://auth.example.com");
    assert.equal(config.logLevel, "debug");
    assert.deepEqual(config.database, { kind: "sqlite", path: ":memory:" });
  });

  it("bootstraps a first project and assumes libuv's 4 pool threads unless told otherwise", () => {
    const config = loadConfig({});
    assert.equal(config.bootstrapProject, true);
    assert.equal(config.threadPoolSize, 4);
    const tuned = loadConfig({ GATEHOUSE_BOOTSTRAP_PROJECT: "false", UV_THREADPOOL_SIZE: "16" });
    assert.equal(tuned.bootstrapProject, false);
    assert.equal(tuned.threadPoolSize, 16);
  });

  it("lowers the hash threads to nice 10 unless told otherwise (0 leaves them alone)", () => {
    assert.equal(loadConfig({}).hashThreadNice, 10);
    assert.equal(loadConfig({ GATEHOUSE_HASH_THREAD_NICE: "0" }).hashThreadNice, 0);
    assert.equal(loadConfig({ GATEHOUSE_HASH_THREAD_NICE: "19" }).hashThreadNice, 19);
  });

  it("keeps same-second session answers unless told not to", () => {
    assert.equal(loadConfig({}).sessionAnswerCache, true);
    assert.equal(loadConfig({ GATEHOUSE_SESSION_ANSWER_CACHE: "off" }).sessionAnswerCache, false);
  });

  it("derives a browsable public URL from a wildcard host", () => {
    assert.equal(loadConfig({ HOST: "0.0.0.0", PORT: "5000" }).publicUrl, "http://localhost:5000");
  });
});

describe("loadConfig rejects invalid values, naming the variable", () => {
  const cases: [string, string][] = [
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["GATEHOUSE_DATABASE_URL", "mysql://x"],
    ["GATEHOUSE_DATABASE_URL", "sqlite:"],
    ["GATEHOUSE_SMTP_URL", "http://x"],
    ["GATEHOUSE_SMTP_URL", "not a url"],
    ["GATEHOUSE_PUBLIC_URL", "notaurl"],
    ["GATEHOUSE_PUBLIC_URL", "ftp://example.com"],
    ["LOG_LEVEL", "loud"],
    ["GATEHOUSE_SECRET_KEY", "short"],
    ["GATEHOUSE_SECRET_KEY", `${VALID_HEX_KEY}00`],
    ["GATEHOUSE_DEV_OUTBOX", "maybe"],
    ["GATEHOUSE_BOOTSTRAP_PROJECT", "sometimes"],
    ["UV_THREADPOOL_SIZE", "0"],
    ["UV_THREADPOOL_SIZE", "many"],
    ["GATEHOUSE_HASH_THREAD_NICE", "20"],
    ["GATEHOUSE_HASH_THREAD_NICE", "-5"],
    ["GATEHOUSE_SESSION_ANSWER_CACHE", "sometimes"],
    ["HOST", "   "],
  ];
  for (const [variable, value] of cases) {
    it(`${variable}=${JSON.stringify(value)}`, () => {
      assertConfigError({ [variable]: value }, variable);
    });
  }

  it("requires GATEHOUSE_SECRET_KEY with a postgres URL", () => {
    assertConfigError(
      { GATEHOUSE_DATABASE_URL: "postgres://gatehouse:pw@localhost:5432/gatehouse" },
      "GATEHOUSE_SECRET_KEY",
    );
    assertConfigError({ GATEHOUSE_DATABASE_URL: "postgresql://localhost/gatehouse" }, "GATEHOUSE_SECRET_KEY");
  });

  it("accepts a postgres URL with a secret key (hex or base64url)", () => {
    const hex = loadConfig({
      GATEHOUSE_DATABASE_URL: "postgres://gatehouse:pw@localhost:5432/gatehouse",
      GATEHOUSE_SECRET_KEY: VALID_HEX_KEY,
    });
    assert.equal(hex.database.kind, "postgres");
    assert.equal(hex.secretKey, VALID_HEX_KEY);
    if (hex.database.kind === "postgres") {
      assert.equal(hex.database.url, "postgres://gatehouse:pw@localhost:5432/gatehouse");
      assert.equal(hex.database.poolSize, 10);
      assert.equal(hex.database.statementTimeoutMs, 5000);
    }
    const b64 = Buffer.alloc(32, 7).toString("base64url");
    assert.equal(b64.length, 43);
    assert.equal(
      loadConfig({ GATEHOUSE_DATABASE_URL: "postgres://localhost/g", GATEHOUSE_SECRET_KEY: b64 }).secretKey,
      b64,
    );
  });
});

describe("loadConfig result", () => {
  it("is frozen, database included", () => {
    const config = loadConfig({});
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.database));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
    assert.equal(config.port, 4000);
  });
});
