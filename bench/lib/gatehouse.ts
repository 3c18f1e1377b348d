import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Kysely } from "kysely";
import pg from "pg";
import type { DatabaseConfig } from "../../src/config/load.js";
import { ServerKey } from "../../src/crypto/server-key.js";
import { createProjectsService, type ProjectCredentials } from "../../src/projects/projects-service.js";
import { SigningKeys } from "../../src/sessions/signing-keys.js";
import { systemClock } from "../../src/shared/clock.js";
import type { Database } from "../../src/storage/database.js";
import { type OpenedDatabase, openDatabase } from "../../src/storage/dialects.js";
import { migrateToLatest } from "../../src/storage/migrate.js";
import { createSqlStore, type Store } from "../../src/storage/store.js";
import { ROOT, type ServerProcess, startServer, TMP } from "./procs.js";

/** A fresh Gatehouse database (SQLite file or PostgreSQL database), its server key, and its bench project. */

export type Dialect = "sqlite" | "postgres";

export interface BenchDatabase {
  readonly dialect: Dialect;
  /** GATEHOUSE_DATABASE_URL for the server. */
  readonly url: string;
  readonly config: DatabaseConfig;
  readonly serverKey: ServerKey;
  readonly dir: string;
  /** Opens the database in this process (for seeding and for reading sizes). */
  open(): OpenedDatabase;
  /** Size of the database on disk, in bytes. */
  size(): Promise<number>;
  drop(): Promise<void>;
}

/**
 * A fresh SQLite file under $TMPDIR/gatehouse-bench/<name>-sqlite, or a fresh PostgreSQL database created on
 * `postgresUrl`'s server (named gatehouse_bench_<name>_<random>, or gatehouse_bench_<name> with `fixedName`).
 * With `reuse`, an existing one is opened instead (its server key must be given).
 */
export async function createBenchDatabase(
  dialect: Dialect,
  name: string,
  postgresUrl?: string,
  options: { fixedName?: boolean; reuse?: { serverKey: string } } = {},
): Promise<BenchDatabase> {
  const dir = join(TMP, `${name}-${dialect}`);
  if (!options.reuse) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const serverKey = options.reuse ? ServerKey.parse(options.reuse.serverKey) : ServerKey.random();
  if (dialect === "sqlite") {
    const path = join(dir, "gatehouse.db");
    const config: DatabaseConfig = { kind: "sqlite", path };
    return {
      dialect,
      url: `sqlite:${path}`,
      config,
      serverKey,
      dir,
      open: () => openDatabase(config),
      async size() {
        const { statSync, existsSync } = await import("node:fs");
        let total = 0;
        for (const suffix of ["", "-wal", "-shm"]) {
          if (existsSync(path + suffix)) total += statSync(path + suffix).size;
        }
        return total;
      },
      async drop() {
        // The server's log stays in `dir` for a look after the run.
        for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
      },
    };
  }
  if (!postgresUrl) throw new Error("GATEHOUSE_BENCH_POSTGRES_URL is not set");
  const base = `gatehouse_bench_${name.replace(/[^a-z0-9]/g, "_")}`;
  const database = options.fixedName ? base : `${base}_${randomBytes(4).toString("hex")}`;
  if (!options.reuse) {
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  const config: DatabaseConfig = {
    kind: "postgres",
    url: url.toString(),
    poolSize: 10,
    statementTimeoutMs: 0,
    namedStatements: true,
  };
  return {
    dialect,
    url: url.toString(),
    config,
    serverKey,
    dir,
    open: () => openDatabase(config),
    async size() {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      const result = await client.query<{ size: string }>(
        "SELECT pg_database_size(current_database()) AS size",
      );
      await client.end();
      return Number(result.rows[0]?.size ?? 0);
    },
    async drop() {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * Migrates the database and creates the bench project through ProjectsService, with the lockout threshold
 * raised to its maximum (100 consecutive failures) so the wrong-password scenario, spread over many members,
 * never locks anyone.
 */
export async function createBenchProject(
  db: BenchDatabase,
): Promise<{ credentials: ProjectCredentials; close(): Promise<void>; store: Store; db: Kysely<Database> }> {
  const opened = db.open();
  await migrateToLatest(opened);
  const store = createSqlStore(opened.db);
  const keys = new SigningKeys(store.signingKeys, systemClock, db.serverKey);
  const projects = createProjectsService({ store, keys, clock: systemClock });
  const credentials = await projects.create({ name: "Bench project", environment: "test" });
  await projects.updateSettings(credentials.project_id, { lockout: { max_failed_attempts: 100 } });
  return { credentials, store, db: opened.db, close: () => opened.close() };
}

/** The compiled server ($TMPDIR/gatehouse-bench/dist, built from src/ by the bench), as `gatehouse serve` runs it. */
export const GATEHOUSE_ENTRY = join(TMP, "dist", "cli", "index.js");

/**
 * The node flags the `gatehouse` command runs with, read off bin/gatehouse.js's shebang (`#!/usr/bin/env -S node
 * <flags>`; package.json's start script carries the same ones): the bench starts the server as users do.
 */
export const GATEHOUSE_NODE_FLAGS: readonly string[] = (() => {
  const shebang = readFileSync(join(ROOT, "bin", "gatehouse.js"), "utf8").split("\n", 1)[0] ?? "";
  const words = shebang.split(/\s+/);
  return words.slice(words.indexOf("node") + 1);
})();

export async function startGatehouse(
  db: BenchDatabase,
  options: { logLevel: string; cpuProfileDir?: string; name: string },
): Promise<ServerProcess> {
  return startServer({
    name: options.name,
    script: GATEHOUSE_ENTRY,
    args: ["serve"],
    nodeArgs: [
      ...GATEHOUSE_NODE_FLAGS,
      ...(options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    ],
    env: {
      GATEHOUSE_DATABASE_URL: db.url,
      GATEHOUSE_SECRET_KEY: db.serverKey.export(),
      GATEHOUSE_BOOTSTRAP_PROJECT: "false",
      GATEHOUSE_DEV_OUTBOX: "true",
      GATEHOUSE_SMTP_URL: "",
      GATEHOUSE_DATABASE_STATEMENT_TIMEOUT_MS: "0",
      LOG_LEVEL: options.logLevel,
    },
    healthPath: "/healthz",
    logFile: join(db.dir, `${options.name}.log`),
  });
}

/** Basic auth header of a project. */
export function basicAuth(credentials: { project_id: string; secret: string }): string {
  return `Basic ${Buffer.from(`${credentials.project_id}:${credentials.secret}`).toString("base64")}`;
}

export { ROOT };
