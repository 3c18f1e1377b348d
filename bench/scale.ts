/**
 * Scale: seeds a Gatehouse database with many organizations and members (each member with a session), then
 * runs the hot-path measurements on it (sessions/authenticate by token and by JWT, organizations/{id} get,
 * JWKS) and shows the query plans of those look-ups. Run by hand, never as a test.
 *
 *   npm run bench:scale -- --orgs 10000 --members 1000000            seed a fresh SQLite database, then measure
 *   npm run bench:scale -- --dialect postgres                         the same on PostgreSQL (GATEHOUSE_BENCH_POSTGRES_URL)
 *   npm run bench:seed -- --orgs 10000 --members 1000000              only seed (kept in $TMPDIR/gatehouse-bench/scale-sqlite)
 *   npm run bench:scale -- --reuse                                    measure a database seeded before
 *   (--keep keeps the database after measuring; a measured database is dropped otherwise)
 *
 * Seeding goes through Kysely in batched multi-row inserts, one transaction per batch, not through the HTTP
 * API: 1,000,000 argon2id hashes would take hours, so seeded members have no password (logins are measured by
 * `npm run bench` on a small database). Every session token is derived with the server key exactly as the
 * server derives it, so the server accepts them.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { CompiledQuery, Kysely, type LogEvent, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { newId } from "../src/crypto/ids.js";
import { deriveSessionToken, newTokenSalt, sessionTokenHash } from "../src/crypto/session-token.js";
import { createOrganizationsService } from "../src/organizations/organizations-service.js";
import type { ProjectCredentials } from "../src/projects/projects-service.js";
import { systemClock } from "../src/shared/clock.js";
import type { Database } from "../src/storage/database.js";
import { createSqlStore } from "../src/storage/store.js";
import { numberFlag, parseFlags, today } from "./lib/args.js";
import { buildServer, gitRevision, machine } from "./lib/env.js";
import {
  type BenchDatabase,
  createBenchDatabase,
  createBenchProject,
  type Dialect,
  startGatehouse,
} from "./lib/gatehouse.js";
import { type Measured, measure, runHttp, type Timing } from "./lib/load.js";
import { ROOT, TMP } from "./lib/procs.js";
import { type Row, roundsDetail, table } from "./lib/report.js";
import { jwksLoad, orgGetLoad, sessionLoad } from "./lib/scenarios.js";
import { ApiClient, pool } from "./lib/seed-api.js";
import { fmt } from "./lib/stats.js";

const flags = parseFlags(process.argv.slice(2));
const orgCount = numberFlag(flags, "orgs", 10_000);
const memberCount = numberFlag(flags, "members", 1_000_000);
const dialect = (flags.get("dialect") ?? "sqlite") as Dialect;
const seedOnly = flags.has("seed-only");
const reuse = flags.has("reuse");
const sampleSize = numberFlag(flags, "sample", 2000);
const timing: Timing = {
  warmupSeconds: numberFlag(flags, "warmup", 2),
  rounds: numberFlag(flags, "rounds", 3),
  seconds: numberFlag(flags, "seconds", 5),
};
const postgresUrl = process.env.GATEHOUSE_BENCH_POSTGRES_URL;
const log = (line: string) => process.stderr.write(`[scale] ${line}\n`);

/** What a later `--reuse` run needs to talk to the seeded database. */
interface Manifest {
  dialect: Dialect;
  url: string;
  serverKey: string;
  credentials: ProjectCredentials;
  orgs: number;
  members: number;
  seedSeconds: { organizations: number; members: number; sessions: number; total: number };
  /** Sessions spread over the whole table, with their tokens. */
  sample: { session_token: string; organization_id: string }[];
  organizationSample: string[];
}

const BATCH = 1000;

async function seed(db: BenchDatabase): Promise<Manifest> {
  const project = await createBenchProject(db);
  const kysely = project.db;
  if (dialect === "sqlite") {
    // A bigger page cache for the seeding connection only (the server opens its own with the defaults).
    await sql`pragma cache_size = -524288`.execute(kysely);
  }
  const projectRow = await project.store.projects.getProject(project.credentials.project_id);
  if (!projectRow) throw new Error("bench project not found");
  const organizations = createOrganizationsService({ store: project.store, clock: systemClock });
  const t0 = performance.now();
  const orgIds: string[] = [];
  log(`seeding ${orgCount.toLocaleString()} organizations`);
  for (let start = 0; start < orgCount; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, orgCount - start) }, (_, k) =>
      organizations.build(projectRow, {
        organization_name: `Scale org ${start + k}`,
        organization_slug: `scale-org-${start + k}`,
      }),
    );
    // The repository's own insert (organization row + its domain rows), one transaction per batch.
    await project.store.transaction(async (tx) => {
      for (const org of batch) await tx.organizations.insertOrganization(org);
    });
    for (const org of batch) orgIds.push(org.organization_id);
  }
  const t1 = performance.now();

  log(`seeding ${memberCount.toLocaleString()} members and as many sessions`);
  const serverKey = db.serverKey;
  const now = Date.now();
  const sample: Manifest["sample"] = [];
  const sampleEvery = Math.max(1, Math.floor(memberCount / sampleSize));
  let membersMs = 0;
  let sessionsMs = 0;
  for (let start = 0; start < memberCount; start += BATCH) {
    const size = Math.min(BATCH, memberCount - start);
    const members = Array.from({ length: size }, (_, k) => {
      const i = start + k;
      const organization_id = orgIds[i % orgIds.length]!;
      return {
        member_id: newId("member", "test"),
        project_id: projectRow.project_id,
        organization_id,
        email_address: `m${i}@o${i % orgIds.length}.scale.example`,
        email_id: newId("member-email", "test"),
        status: "active" as const,
        name: `Member ${i}`,
        email_address_verified: 1,
        is_breakglass: 0,
        external_id: null,
        roles: "[]",
        trusted_metadata: "{}",
        untrusted_metadata: "{}",
        member_password_id: null,
        password_hash: null,
        failed_auth_count: 0,
        lock_created_at: null,
        lock_expires_at: null,
        created_at: now,
        updated_at: now,
        retired_email_addresses: "[]",
      };
    });
    const sessions = members.map((m, k) => {
      const member_session_id = newId("member-session", "test");
      const token_salt = newTokenSalt();
      const token = deriveSessionToken(serverKey, member_session_id, token_salt);
      if ((start + k) % sampleEvery === 0)
        sample.push({ session_token: token, organization_id: m.organization_id });
      return {
        member_session_id,
        project_id: projectRow.project_id,
        organization_id: m.organization_id,
        member_id: m.member_id,
        token_hash: sessionTokenHash(token),
        token_salt,
        started_at: now,
        last_accessed_at: now,
        expires_at: now + 30 * 24 * 3600_000,
        authentication_factors: JSON.stringify([
          {
            type: "magic_link",
            delivery_method: "email",
            created_at: new Date(now).toISOString(),
            last_authenticated_at: new Date(now).toISOString(),
            updated_at: new Date(now).toISOString(),
            email_factor: { email_id: m.email_id, email_address: m.email_address },
          },
        ]),
        custom_claims: "{}",
      };
    });
    const a = performance.now();
    // Parameters per statement stay under both engines' limits (SQLite 32,766; PostgreSQL 65,535).
    await kysely.transaction().execute(async (trx) => {
      for (let s = 0; s < members.length; s += 500) {
        await trx
          .insertInto("members")
          .values(members.slice(s, s + 500))
          .execute();
      }
    });
    const b = performance.now();
    await kysely.transaction().execute(async (trx) => {
      for (let s = 0; s < sessions.length; s += 500) {
        await trx
          .insertInto("sessions")
          .values(sessions.slice(s, s + 500))
          .execute();
      }
    });
    membersMs += b - a;
    sessionsMs += performance.now() - b;
    if ((start / BATCH) % 100 === 99) {
      const done = start + size;
      const rate = done / ((performance.now() - t1) / 1000);
      log(`  ${done.toLocaleString()} members + sessions (${Math.round(rate).toLocaleString()}/s)`);
    }
  }
  if (dialect === "sqlite") await sql`pragma wal_checkpoint(TRUNCATE)`.execute(kysely);
  // VACUUM now, so autovacuum does not wake up on the freshly loaded tables during the measurement.
  else await sql`vacuum (analyze)`.execute(kysely);
  const t2 = performance.now();
  await project.close();
  const organizationSample = Array.from(
    { length: 200 },
    (_, k) => orgIds[Math.floor((k * orgIds.length) / 200)]!,
  );
  return {
    dialect,
    url: db.url,
    serverKey: serverKey.export(),
    credentials: project.credentials,
    orgs: orgCount,
    members: memberCount,
    seedSeconds: {
      organizations: (t1 - t0) / 1000,
      members: membersMs / 1000,
      sessions: sessionsMs / 1000,
      total: (t2 - t0) / 1000,
    },
    sample,
    organizationSample,
  };
}

/**
 * EXPLAIN of the hot look-ups. The SQL is captured from the repositories themselves: a second Kysely over the
 * same database, with a query log, runs the store's own methods (Kysely compiles the same SQL for the same
 * dialect; Gatehouse's dialect subclass only changes how transactions begin).
 */
async function plans(db: BenchDatabase, manifest: Manifest): Promise<string> {
  const captured: { sql: string; parameters: readonly unknown[] }[] = [];
  const logQuery = (event: LogEvent) => {
    captured.push(event.query);
  };
  const kysely =
    db.config.kind === "sqlite"
      ? new Kysely<Database>({
          dialect: new SqliteDialect({ database: new SqliteDatabase(db.config.path) }),
          log: logQuery,
        })
      : new Kysely<Database>({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: db.config.url, max: 1 }) }),
          log: logQuery,
        });
  const store = createSqlStore(kysely);
  const token = manifest.sample[Math.floor(manifest.sample.length / 2)]!.session_token;
  const { member_session_id } = await kysely
    .selectFrom("sessions")
    .select("member_session_id")
    .where("token_hash", "=", sessionTokenHash(token))
    .executeTakeFirstOrThrow();
  const projectId = manifest.credentials.project_id;
  const org = manifest.organizationSample[manifest.organizationSample.length - 1]!;
  const queries: [string, () => Promise<unknown>][] = [
    [
      "sessions/authenticate by token: SessionsRepository.findLive",
      () => store.sessions.findLive(projectId, { tokenHash: sessionTokenHash(token) }, Date.now()),
    ],
    [
      "sessions/authenticate by JWT: SessionsRepository.findLive",
      () => store.sessions.findLive(projectId, { sessionId: member_session_id }, Date.now()),
    ],
    [
      "organizations/{id} get: OrganizationsRepository.findOrganization",
      () => store.organizations.findOrganization(projectId, org),
    ],
  ];
  const out: string[] = [];
  for (const [label, run] of queries) {
    captured.length = 0;
    await run();
    const query = captured[0];
    if (!query) continue;
    out.push(`**${label}**`, "", "```", query.sql, "```", "", "```");
    out.push(
      db.dialect === "sqlite"
        ? await explainSqlite(kysely, query.sql, query.parameters)
        : await explainPostgres(kysely, query.sql, query.parameters),
    );
    out.push("```", "");
  }
  await kysely.destroy();
  return out.join("\n");
}

async function explainSqlite(
  db: Kysely<Database>,
  text: string,
  parameters: readonly unknown[],
): Promise<string> {
  const result = await db.executeQuery<{ detail: string }>(
    CompiledQuery.raw(`EXPLAIN QUERY PLAN ${text}`, [...parameters]),
  );
  return result.rows.map((r) => r.detail).join("\n");
}

async function explainPostgres(
  db: Kysely<Database>,
  text: string,
  parameters: readonly unknown[],
): Promise<string> {
  const result = await db.executeQuery<{ "QUERY PLAN": string }>(
    CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) ${text}`, [...parameters]),
  );
  return result.rows.map((r) => r["QUERY PLAN"]).join("\n");
}

async function main() {
  const manifestFile = join(TMP, `scale-${dialect}`, "manifest.json");
  let db: BenchDatabase;
  let manifest: Manifest;
  if (reuse) {
    if (!existsSync(manifestFile))
      throw new Error(`no seeded database: run npm run bench:seed first (${manifestFile})`);
    manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
    db = await createBenchDatabase(dialect, "scale", postgresUrl, {
      fixedName: true,
      reuse: { serverKey: manifest.serverKey },
    });
  } else {
    db = await createBenchDatabase(dialect, "scale", postgresUrl, { fixedName: true });
    manifest = await seed(db);
    writeFileSync(manifestFile, JSON.stringify(manifest));
    log(`seeded in ${manifest.seedSeconds.total.toFixed(0)} s; manifest ${manifestFile}`);
  }
  if (seedOnly) return;
  if (!flags.has("no-build")) buildServer();
  const size = await db.size();
  const explained = await plans(db, manifest);
  const server = await startGatehouse(db, {
    logLevel: "warn",
    name: `gatehouse-scale-${dialect}`,
    // `--cpu-prof`: the server's CPU profile, as in `npm run bench` (summarise it with bench/profile.ts).
    ...(flags.has("cpu-prof") ? { cpuProfileDir: join(TMP, "profiles") } : {}),
  });
  const target = { url: server.url, credentials: manifest.credentials };
  const rows: Row[] = [];
  try {
    // JWTs for the sampled sessions, from the server itself.
    const api = new ApiClient(server.url, manifest.credentials);
    const withJwt = await pool(manifest.sample.slice(0, 1000), 8, async (s) => {
      const r = await api.ok<{ session_jwt: string }>("POST", "/v1/b2b/sessions/authenticate", {
        session_token: s.session_token,
      });
      return { ...s, session_jwt: r.session_jwt };
    });
    const add = (scenario: string, m: Measured) => {
      rows.push({ scenario, m });
      log(`${scenario}: ${fmt(m.rps.median)} req/s, p99 ${fmt(m.p99.median)} ms`);
    };
    add(
      "sessions/authenticate (session_token)",
      await measure((s) => runHttp(sessionLoad(target, manifest.sample, "session_token"), s), timing, server),
    );
    add(
      "sessions/authenticate (session_jwt)",
      await measure((s) => runHttp(sessionLoad(target, withJwt, "session_jwt"), s), timing, server),
    );
    add(
      "GET organizations/{id}",
      await measure((s) => runHttp(orgGetLoad(target, manifest.organizationSample), s), timing, server),
    );
    add("GET sessions/jwks/{project_id}", await measure((s) => runHttp(jwksLoad(target), s), timing, server));
  } finally {
    await server.stop();
    if (!flags.has("keep")) await db.drop();
  }
  const out: string[] = [];
  out.push(`# Gatehouse at scale: ${dialect === "sqlite" ? "SQLite" : "PostgreSQL"}, ${today()}`);
  out.push("");
  out.push(`- Machine: ${machine()}. Revision ${gitRevision()}.`);
  out.push(
    `- Data: ${manifest.orgs.toLocaleString()} organizations, ${manifest.members.toLocaleString()} members (${Math.round(manifest.members / manifest.orgs)} per organization), one live session each (${manifest.members.toLocaleString()} sessions), in one project. Database size: **${(size / 2 ** 30).toFixed(2)} GiB**${dialect === "sqlite" ? " (file + WAL)" : " (pg_database_size)"}.`,
  );
  const s = manifest.seedSeconds;
  out.push(
    `- Seeding (\`npm run bench:seed -- --orgs ${manifest.orgs} --members ${manifest.members}\`${dialect === "postgres" ? " --dialect postgres" : ""}): ${fmt(s.total)} s in all: organizations ${fmt(s.organizations)} s (the repository's insert, 1,000 per transaction), members ${fmt(s.members)} s and sessions ${fmt(s.sessions)} s (multi-row inserts through Kysely, 1,000 rows per transaction). Members have no password.`,
  );
  out.push(
    `- Load as in \`npm run bench\`: ${timing.warmupSeconds} s warm-up, ${timing.rounds} × ${timing.seconds} s, 10 connections, round-robin over ${manifest.sample.length.toLocaleString()} sessions spread evenly over the whole sessions table (every ${Math.floor(manifest.members / manifest.sample.length)}th), 1,000 of them by JWT, and 200 organizations spread over the table. Compare with the same rows of the small-database run of the same day (bench/results/${today()}-${dialect}.md).`,
  );
  out.push("");
  out.push(table(rows));
  out.push("");
  out.push("## Query plans at this size");
  out.push("");
  out.push(
    "The SQL is captured from the repositories themselves (the queries the server runs), then explained on the seeded database: every look-up is a single index probe.",
  );
  out.push("");
  out.push(explained);
  out.push("<details><summary>Every round</summary>");
  out.push("");
  out.push(roundsDetail(rows));
  out.push("");
  out.push("</details>");
  const text = `${out.join("\n")}\n`;
  const file = join(ROOT, "bench", "results", `${today()}-${dialect}-scale.md`);
  writeFileSync(file, text);
  log(`wrote ${file}`);
  process.stdout.write(text);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `scale failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
