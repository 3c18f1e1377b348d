import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { B2BClient } from "stytch";
import { type App, createApp } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config/load.js";
import { ServerKey } from "../../src/crypto/server-key.js";
import type { Mailer } from "../../src/email/mailer.js";
import type { ProjectCredentials } from "../../src/projects/projects-service.js";
import { ManualClock } from "../../src/shared/clock.js";
import type { Database } from "../../src/storage/database.js";
import { type OpenedDatabase, openDatabase } from "../../src/storage/dialects.js";
import { migrateToLatest } from "../../src/storage/migrate.js";
import { createSqlStore, type Store } from "../../src/storage/store.js";
import { createTestDatabase } from "./databases.js";
import { type SmtpCapture, startSmtpCapture } from "./smtp.js";

/**
 * A real Gatehouse listening on loopback, driven by the official `stytch` SDK. Nothing is mocked: the database
 * is a real SQLite file (or a fresh PostgreSQL database when GATEHOUSE_TEST_DIALECT=postgres), email goes over
 * real SMTP to an in-process SMTP server, and passwords are hashed with the production argon2id parameters.
 * The clock is a ManualClock so tests can move time (token and session expiry, locks).
 */
export interface TestServer {
  readonly url: string;
  readonly app: App;
  readonly store: Store;
  readonly clock: ManualClock;
  readonly smtp: SmtpCapture;
  readonly project: ProjectCredentials;
  readonly client: B2BClient;
  readonly config: Config;
  /** The database itself, for reading rows as they are stored (the Store also shows writes still pending). */
  readonly db: Kysely<Database>;
  /** Another project on the same server, with its own client. */
  newProject(name?: string): Promise<{ credentials: ProjectCredentials; client: B2BClient }>;
  /** Raw HTTP against the server, for what the SDK cannot send (bad auth, unknown routes, odd bodies). */
  fetch(path: string, init?: RequestInit & { auth?: "project" | "none" | string }): Promise<Response>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** Use the dev outbox instead of SMTP. */
  outbox?: boolean;
  mailer?: Mailer;
  /** Capture the server's JSON log lines (level debug) instead of discarding them. */
  logLines?: string[];
}

// The SDK warns once per client that env is not Stytch's; the tests point it at Gatehouse on purpose.
const warn = console.warn;
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === "string" && args[0].includes("custom 'env' value")) return;
  warn(...args);
};

export function sdkClient(url: string, credentials: { project_id: string; secret: string }): B2BClient {
  return new B2BClient({ project_id: credentials.project_id, secret: credentials.secret, env: `${url}/` });
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const smtp = await startSmtpCapture();
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-test-"));
  const testDb = await createTestDatabase(dir);
  const config = loadConfig({
    GATEHOUSE_DATABASE_URL: testDb.url,
    ...(options.outbox ? {} : { GATEHOUSE_SMTP_URL: smtp.url }),
    GATEHOUSE_DEV_OUTBOX: options.outbox ? "true" : "false",
    GATEHOUSE_SECRET_KEY: ServerKey.random().export(),
    LOG_LEVEL: "silent",
    PORT: "0",
  });
  const database: OpenedDatabase = openDatabase(config.database);
  await migrateToLatest(database);
  const store = createSqlStore(database.db);
  const clock = new ManualClock(Date.now());
  const app = createApp({
    config,
    store,
    clock,
    changes: database.changes,
    serverKey: ServerKey.parse(config.secretKey!),
    logger: options.logLines
      ? {
          level: "debug",
          stream: {
            write: (line: string) => {
              options.logLines?.push(line);
            },
          },
        }
      : false,
    ...(options.mailer ? { mailer: options.mailer } : {}),
  });
  await app.http.listen({ port: 0, host: "127.0.0.1" });
  const url = `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}`;
  const project = await app.services.projects.create({ name: "Test project", environment: "test" });

  const basic = (c: { project_id: string; secret: string }) =>
    `Basic ${Buffer.from(`${c.project_id}:${c.secret}`).toString("base64")}`;

  return {
    url,
    app,
    store,
    clock,
    smtp,
    project,
    config,
    db: database.db,
    client: sdkClient(url, project),
    async newProject(name = "Other project") {
      const credentials = await app.services.projects.create({ name, environment: "test" });
      return { credentials, client: sdkClient(url, credentials) };
    },
    fetch(path, init = {}) {
      const { auth = "project", ...rest } = init;
      const headers = new Headers(rest.headers);
      if (auth === "project") headers.set("authorization", basic(project));
      else if (auth !== "none") headers.set("authorization", auth);
      if (rest.body !== undefined && !headers.has("content-type"))
        headers.set("content-type", "application/json");
      return fetch(`${url}${path}`, { ...rest, headers });
    },
    async stop() {
      await app.close();
      await store.flush();
      await database.close();
      await testDb.drop();
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
