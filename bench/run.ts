/**
 * `npm run bench`: Gatehouse against the machine's limits (a bare node:http server, the argon2id hash
 * ceiling) and a peer (Better Auth), in one run. Run by hand, never as a test. See bench/README.md.
 *
 *   npm run bench                               SQLite (+ PostgreSQL when GATEHOUSE_BENCH_POSTGRES_URL is set)
 *   npm run bench -- --rounds 3 --seconds 5 --warmup 2 --only session-token,session-jwt --no-peer
 *   npm run bench -- --cpu-prof                 also write the server's CPU profile to $TMPDIR/gatehouse-bench/profiles
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { numberFlag, parseFlags, today } from "./lib/args.js";
import {
  argon2idCost,
  argon2idParallel,
  betterAuthHashCost,
  buildServer,
  CORES,
  gitRevision,
  type HashCost,
  machine,
} from "./lib/env.js";
import { FLOOR_SCRIPT, SESSION_ANSWER_BYTES, startFloor } from "./lib/floors.js";
import {
  type BenchDatabase,
  createBenchDatabase,
  createBenchProject,
  type Dialect,
  GATEHOUSE_NODE_FLAGS,
  startGatehouse,
} from "./lib/gatehouse.js";
import {
  type Measured,
  measure,
  measurePaired,
  type Round,
  runHttp,
  runLoop,
  type Timing,
} from "./lib/load.js";
import { peerGetSessionLoad, peerSignInLoad, seedBetterAuth, startBetterAuth } from "./lib/peer.js";
import { ROOT, type ServerProcess, TMP } from "./lib/procs.js";
import { check, type Row, ratio, roundsDetail, table } from "./lib/report.js";
import {
  CONNECTIONS,
  FLOOD_SESSION_RATE,
  type FloodResult,
  floodScenario,
  jwksLoad,
  LOGIN_CONNECTIONS,
  MAGIC_LINK_CONCURRENCY,
  magicLinkIteration,
  orgGetLoad,
  passwordLoad,
  sessionLoad,
} from "./lib/scenarios.js";
import { ApiClient, seedThroughApi } from "./lib/seed-api.js";
import { fmt, fmtSpread, pct, percentile, type Spread } from "./lib/stats.js";

const flags = parseFlags(process.argv.slice(2));
const timing: Timing = {
  warmupSeconds: numberFlag(flags, "warmup", 2),
  rounds: numberFlag(flags, "rounds", 3),
  seconds: numberFlag(flags, "seconds", 5),
};
const only = flags.get("only")?.split(",");
const wants = (name: string) => !only || only.includes(name);
const logLevel = flags.get("log-level") ?? "warn";
const postgresUrl = process.env.GATEHOUSE_BENCH_POSTGRES_URL;
const dialects: Dialect[] = (flags.get("dialects")?.split(",") as Dialect[] | undefined) ?? [
  "sqlite",
  ...(postgresUrl ? (["postgres"] as const) : []),
];
const withPeer = !flags.has("no-peer");
const write = !flags.has("no-write");
const label = flags.get("label") ?? "";
const cpuProfileDir = flags.has("cpu-prof") ? join(TMP, "profiles") : undefined;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface Common {
  argon2: HashCost;
  argon2Parallel: { perSecond: number; msPerHashPerCore: number };
  peerHash?: HashCost;
  floor?: Measured;
  /** The floor server, kept running so that session checks can be measured in rounds paired with it. */
  floorLoad?: { run: (seconds: number) => Promise<Round>; server: ServerProcess };
  /** Bare node:http answering a session-check-shaped POST with a fixed answer of a real answer's size. */
  sizedFloor?: Measured;
  /** Fastify answering a session-check-shaped POST with a fixed answer of a real answer's size. */
  fastifyFloor?: Measured;
  peer?: { signIn?: Measured; getSession?: Measured; idleRssMb: number; error?: string };
}

/**
 * How long the bench leaves the server without requests before reading its resting memory. V8 keeps the heap
 * that start-up or a burst grew for several seconds, then its memory reducer gives it back: between 10 and 20 s
 * on one day's machine, between 30 and 45 s on a slower day's (the same server, sampled every few seconds: 128 MB
 * until 30 s, 89 MB from 45 s on), which made a 30 s reading a coin toss. 60 s is past both. Only a server at
 * rest is "idle" in the sense of the RSS target.
 */
const RESTING_SECONDS = 60;

/** RSS and V8's committed heap after RESTING_SECONDS without a request (MB). */
async function resting(server: ServerProcess): Promise<{ rssMb: number; heapTotalMb: number }> {
  await new Promise((r) => setTimeout(r, RESTING_SECONDS * 1000));
  const heapTotalMb = (await server.readProbe()).memory.heapTotal / 2 ** 20;
  return { rssMb: server.memory().rssMb, heapTotalMb };
}

/** A floor server that answers every request with a fixed body as long as a real session answer. */
function startSizedFloor(name: string, script = FLOOR_SCRIPT): Promise<ServerProcess> {
  return startFloor(name, { script, answerBytes: SESSION_ANSWER_BYTES });
}

/** Session-check requests to a floor server: the given sessions (nothing is looked up), with Basic auth. */
function floorSessionLoad(
  server: ServerProcess,
  sessions: { session_token?: string; session_jwt?: string }[],
  by: "session_token" | "session_jwt",
) {
  const credentials = { project_id: "project-test-floor", secret: "secret-test-floor", public_token: "" };
  return sessionLoad({ url: server.url, credentials }, sessions, by);
}

/**
 * A floor server answering the session_token scenario's requests (the same 44-character tokens and Basic auth,
 * none looked up) with a fixed body as long as a real session answer.
 */
async function measureSessionShapedFloor(name: string, script: string): Promise<Measured> {
  const server = await startSizedFloor(name, script);
  try {
    const fakeSessions = Array.from({ length: 200 }, (_, i) => ({
      session_token: `${"t".repeat(40)}${String(i).padStart(4, "0")}`,
    }));
    const load = floorSessionLoad(server, fakeSessions, "session_token");
    return await measure((s) => runHttp(load, s), timing, server);
  } finally {
    await server.stop();
  }
}

async function main() {
  mkdirSync(TMP, { recursive: true });
  if (!flags.has("no-build")) {
    log("building src/ into $TMPDIR/gatehouse-bench/dist");
    buildServer();
  }
  const started = Date.now();

  log("timing argon2id hashes in the bench process");
  const common: Common = { argon2: await argon2idCost(20), argon2Parallel: await argon2idParallel(4) };
  log(`argon2id: ${fmt(common.argon2.ms)} ms per hash → ceiling ${fmt(common.argon2.ceiling)} logins/s`);

  // Stopped at the end of the run: session checks are measured in rounds alternating with the floor's.
  let floorServer: ServerProcess | undefined;
  try {
    if (wants("floor")) {
      log("floor: bare node:http");
      const server = await startFloor("floor");
      floorServer = server;
      const run = (s: number) =>
        runHttp({ url: server.url, paths: ["/"], connections: CONNECTIONS, ok: (c) => c === 200 }, s);
      common.floorLoad = { run, server };
      common.floor = await measure(run, timing, server);
    }
    await benchEverything(common, started);
  } finally {
    await floorServer?.stop();
  }
}

async function benchEverything(common: Common, started: number): Promise<void> {
  if (wants("floor-sized")) {
    log("floor: bare node:http, POST with a session-sized answer");
    common.sizedFloor = await measureSessionShapedFloor("floor-sized", FLOOR_SCRIPT);
  }

  if (wants("fastify-floor")) {
    log("floor: Fastify, fixed session-sized answer");
    common.fastifyFloor = await measureSessionShapedFloor(
      "fastify-floor",
      join(ROOT, "bench", "servers", "fastify-floor.mjs"),
    );
  }

  if (withPeer && (wants("peer-sign-in") || wants("peer-get-session"))) {
    common.peer = { idleRssMb: Number.NaN };
    try {
      log("peer: Better Auth");
      common.peerHash = await betterAuthHashCost(20);
      const dir = join(TMP, "better-auth");
      mkdirSync(dir, { recursive: true });
      rmSync(join(dir, "better-auth.db"), { force: true });
      rmSync(join(dir, "better-auth.db-wal"), { force: true });
      rmSync(join(dir, "better-auth.db-shm"), { force: true });
      const peer = await startBetterAuth(dir);
      try {
        const seed = await seedBetterAuth(peer, 100);
        await new Promise((r) => setTimeout(r, 1000));
        common.peer.idleRssMb = peer.memory().rssMb;
        if (wants("peer-sign-in"))
          common.peer.signIn = await measure(
            (s) => runHttp(peerSignInLoad(peer, seed, LOGIN_CONNECTIONS), s),
            timing,
            peer,
          );
        if (wants("peer-get-session"))
          common.peer.getSession = await measure(
            (s) => runHttp(peerGetSessionLoad(peer, seed, CONNECTIONS), s),
            timing,
            peer,
          );
      } finally {
        await peer.stop();
      }
    } catch (error) {
      common.peer.error = error instanceof Error ? error.message : String(error);
      log(`peer failed: ${common.peer.error}`);
    }
  }

  for (const dialect of dialects) {
    const db = await createBenchDatabase(dialect, "run", postgresUrl);
    try {
      const report = await benchGatehouse(db, common);
      const minutes = ((Date.now() - started) / 60_000).toFixed(1);
      const text = `${report}\n\nTotal bench time so far: ${minutes} min.\n`;
      if (write) {
        const file = join(ROOT, "bench", "results", `${today()}-${dialect}${label ? `-${label}` : ""}.md`);
        mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
        writeFileSync(file, text);
        log(`wrote ${file}`);
      }
      process.stdout.write(`${text}\n`);
    } finally {
      await db.drop();
    }
  }
}

async function benchGatehouse(db: BenchDatabase, common: Common): Promise<string> {
  log(`${db.dialect}: creating the project and starting Gatehouse`);
  const project = await createBenchProject(db);
  const server = await startGatehouse(db, {
    logLevel,
    name: `gatehouse-${db.dialect}`,
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
  });
  const target = { url: server.url, credentials: project.credentials };
  const api = new ApiClient(server.url, project.credentials);
  const rows: Row[] = [];
  const pairedRatios = new Map<string, Spread>();
  let flood: FloodResult | undefined;
  let magic: Measured | undefined;
  let idleRssMb = Number.NaN;
  let idleHeapMb = Number.NaN;
  let restingSeeded = { rssMb: Number.NaN, heapTotalMb: Number.NaN };
  await new Promise((r) => setTimeout(r, 1000));
  const startRssMb = server.memory().rssMb;
  const startHeapMb = (await server.readProbe()).memory.heapUsed / 2 ** 20;
  const restingStart = await resting(server);
  try {
    const hasher = (await import("../src/passwords/hasher.js")).createArgon2idHasher();
    const { BENCH_PASSWORD } = await import("./lib/seed-api.js");
    log(`${db.dialect}: seeding organizations, members and sessions through the API`);
    const seed = await seedThroughApi(api, project.store, await hasher.hash(BENCH_PASSWORD), {
      organizations: 10,
      loginMembers: 200,
      wrongMembers: 400,
    });
    await new Promise((r) => setTimeout(r, 2000));
    idleRssMb = server.memory().rssMb;
    idleHeapMb = (await server.readProbe()).memory.heapUsed / 2 ** 20;
    restingSeeded = await resting(server);

    const floor = common.floor;
    const peer = common.peer;
    const add = (scenario: string, m: Measured, ratios: Row["ratios"] = {}) => {
      rows.push({ scenario, m, ratios });
      log(`${db.dialect}: ${scenario}: ${fmtSpread(m.rps)} req/s, p99 ${fmt(m.p99.median)} ms`);
    };
    if (floor) add("node:http floor (fixed JSON)", floor, { floor: "100%" });
    if (common.sizedFloor) {
      add(`node:http floor (POST, fixed ${SESSION_ANSWER_BYTES} B answer)`, common.sizedFloor, {
        floor: ratio(common.sizedFloor, floor),
      });
    }
    if (common.fastifyFloor) {
      add(`Fastify floor (POST, fixed ${SESSION_ANSWER_BYTES} B answer)`, common.fastifyFloor, {
        floor: ratio(common.fastifyFloor, floor),
      });
    }
    const http = (load: Parameters<typeof runHttp>[0]) => measure((s) => runHttp(load, s), timing, server);

    // Session checks run in rounds alternating with the floor's (measurePaired); their floor ratio is the median
    // of the per-pair ratios, with its range, and the floor's paired rounds get a row of their own.
    const sessionCheck = async (scenario: string, load: Parameters<typeof runHttp>[0]) => {
      const floorLoad = common.floorLoad;
      if (!floorLoad) {
        const m = await http(load);
        add(scenario, m, { floor: ratio(m, floor), peer: ratio(m, peer?.getSession) });
        return;
      }
      const paired = await measurePaired(floorLoad, { run: (s) => runHttp(load, s), server }, timing);
      pairedRatios.set(scenario, paired.ratio);
      add(scenario, paired.subject, {
        floor: `${pct(paired.ratio.median)} (${pct(paired.ratio.min)}–${pct(paired.ratio.max)})`,
        peer: ratio(paired.subject, peer?.getSession),
      });
      add("  (node:http floor, its paired rounds)", paired.base, { floor: "100%" });
    };
    if (wants("session-token")) {
      await sessionCheck(
        "sessions/authenticate (session_token)",
        sessionLoad(target, seed.sessions, "session_token"),
      );
    }
    if (wants("session-jwt")) {
      await sessionCheck(
        "sessions/authenticate (session_jwt)",
        sessionLoad(target, seed.sessions, "session_jwt"),
      );
    }
    if (wants("floor-sized-jwt") && common.floorLoad) {
      // The JWT check's own yardstick: a bare node:http server, sent the very requests of the session_jwt
      // scenario (the seeded members' JWTs, about 1 KB each, where a token is 44 characters), answers each with a
      // fixed body of the answer's size; in rounds alternating with the floor's, as the checks are measured.
      const sized = await startSizedFloor("floor-sized-jwt");
      try {
        const load = floorSessionLoad(sized, seed.sessions, "session_jwt");
        const paired = await measurePaired(
          common.floorLoad,
          { run: (s) => runHttp(load, s), server: sized },
          timing,
        );
        pairedRatios.set("floor-sized-jwt", paired.ratio);
        add(
          `node:http floor (POST, the JWT checks' requests, fixed ${SESSION_ANSWER_BYTES} B answer)`,
          paired.subject,
          {
            floor: `${pct(paired.ratio.median)} (${pct(paired.ratio.min)}–${pct(paired.ratio.max)})`,
          },
        );
        add("  (node:http floor, its paired rounds)", paired.base, { floor: "100%" });
      } finally {
        await sized.stop();
      }
    }
    if (wants("jwks")) {
      const m = await http(jwksLoad(target));
      add("GET sessions/jwks/{project_id}", m, { floor: ratio(m, floor) });
    }
    if (wants("org-get")) {
      const m = await http(
        orgGetLoad(
          target,
          seed.organizations.map((o) => o.organization_id),
        ),
      );
      add("GET organizations/{id}", m, { floor: ratio(m, floor) });
    }
    if (wants("password-ok")) {
      const m = await http(passwordLoad(target, seed.loginMembers, true));
      add("passwords/authenticate (correct)", m, {
        ceiling: pct(m.rps.median / common.argon2.ceiling),
        peer: ratio(m, peer?.signIn),
      });
    }
    if (wants("password-wrong")) {
      const m = await http(passwordLoad(target, seed.wrongMembers, false));
      add("passwords/authenticate (wrong, 401)", m, { ceiling: pct(m.rps.median / common.argon2.ceiling) });
    }
    if (wants("magic-link")) {
      const org = seed.organizations[0]!;
      const iteration = magicLinkIteration(target, org);
      magic = await measure((s) => runLoop(MAGIC_LINK_CONCURRENCY, s, iteration), timing, server);
      add("magic link round trip (3 requests)", magic);
    }
    if (wants("flood")) {
      flood = await floodScenario(target, server, seed.sessions, seed.loginMembers, timing);
      add(`session_token at ${FLOOD_SESSION_RATE}/s, idle`, flood.idle);
      add(`session_token at ${FLOOD_SESSION_RATE}/s, under login flood`, flood.flooded);
      add("  (the login flood itself)", flood.flood, {
        ceiling: pct(flood.flood.rps.median / common.argon2.ceiling),
      });
    }
    if (peer?.signIn) add("Better Auth: POST sign-in/email", peer.signIn);
    if (peer?.getSession)
      add("Better Auth: GET get-session (cookie)", peer.getSession, { floor: ratio(peer.getSession, floor) });
  } finally {
    await server.stop();
    await project.close();
  }
  const size = await db.size();
  return render(db, common, rows, {
    idleRssMb,
    idleHeapMb,
    startRssMb,
    startHeapMb,
    restingStart,
    restingSeeded,
    flood,
    dbBytes: size,
    pairedRatios,
  });
}

function render(
  db: BenchDatabase,
  common: Common,
  rows: Row[],
  extra: {
    idleRssMb: number;
    idleHeapMb: number;
    startRssMb: number;
    startHeapMb: number;
    restingStart: { rssMb: number; heapTotalMb: number };
    restingSeeded: { rssMb: number; heapTotalMb: number };
    flood: FloodResult | undefined;
    dbBytes: number;
    /** Session checks' req/s ÷ the floor's, per pair of neighbouring rounds (measurePaired). */
    pairedRatios: Map<string, Spread>;
  },
): string {
  const { argon2, peerHash, peer } = common;
  const find = (prefix: string) => rows.find((r) => r.scenario.startsWith(prefix))?.m;
  const floor = common.floor;
  const token = find("sessions/authenticate (session_token)");
  const jwt = find("sessions/authenticate (session_jwt)");
  const login = find("passwords/authenticate (correct)");
  const out: string[] = [];
  out.push(`# Gatehouse benchmark: ${db.dialect === "sqlite" ? "SQLite" : "PostgreSQL"}, ${today()}`);
  out.push("");
  out.push(`- Machine: ${machine()}. Revision ${gitRevision()}.`);
  out.push(
    `- Each scenario: ${timing.warmupSeconds} s warm-up, then ${timing.rounds} rounds of ${timing.seconds} s; figures are the median of the rounds with (min–max). Latencies are per request (per round trip for the magic link), measured by the client. Session checks alternate their rounds with the node:http floor's (floor, check, floor, check, …: this machine's speed drifts by tens of percent within minutes), and their floor ratio is the median of the per-pair ratios (min–max); the other ratios compare medians.`,
  );
  out.push(
    `- Load: autocannon's programmatic API in the bench process, ${CONNECTIONS} connections (${LOGIN_CONNECTIONS} for logins, ${MAGIC_LINK_CONCURRENCY} concurrent loops for the magic link), on 127.0.0.1. **The load generator runs on the same ${CORES} cores as the server under test**, so every req/s here is lower than a server with the machine to itself would reach; the floor and the peer pay the same tax, which is why the ratios are the figures to read.`,
  );
  out.push(
    `- Gatehouse: the compiled server (\`gatehouse serve\`) as its own process, LOG_LEVEL=${logLevel} (the default \`info\` logs two lines per request), dev outbox on, a fresh ${db.dialect === "sqlite" ? "SQLite file (WAL, synchronous=FULL)" : "PostgreSQL 15 database on 127.0.0.1 (pool of 10)"}. Seeded through the API: 10 organizations, 600 members (200 for correct-password logins, 400 for wrong ones), 200 sessions from real password logins, round-robin in every scenario. Lockout: the project's max_failed_attempts raised to 100 (ProjectsService.updateSettings) and the wrong-password load spread over 400 members, so nobody locks (every answer must be 401).`,
  );
  out.push(
    `- argon2id (m=19456, t=2, p=1), timed in the bench process: ${fmt(argon2.ms)} ms per hash (p10 ${fmt(argon2.p10)}, p90 ${fmt(argon2.p90)}, ${argon2.samples} hashes) → **hash ceiling ${CORES} × 1000 / ${fmt(argon2.ms)} = ${fmt(argon2.ceiling)} logins/s**. With ${CORES} hashes always in flight (every core hashing, memory bandwidth shared), the bench process reaches ${fmt(common.argon2Parallel.perSecond)} hashes/s (${fmt(common.argon2Parallel.msPerHashPerCore)} ms per hash per core): the ceiling a server could reach if the load generator and everything else cost nothing.`,
  );
  if (peer?.error) {
    out.push(`- Better Auth could not be measured: ${peer.error}`);
  } else if (peer && peerHash) {
    out.push(
      `- Peer: Better Auth (better-auth ${peerVersion()}, email and password + organization plugin, better-sqlite3 in WAL mode, rate limit off, its schema from its own migration API), a plain node:http server in its own process; 100 users signed up, each owning an organization that is the session's active one. Its password hash is scrypt, not argon2id: ${fmt(peerHash.ms)} ms per hash here → its own ceiling ${fmt(peerHash.ceiling)} sign-ins/s (sign-in at ${pct((peer.signIn?.rps.median ?? Number.NaN) / peerHash.ceiling)} of it). Its get-session reads the session by cookie and does not write (it refreshes a session once a day); Gatehouse's sessions/authenticate writes last_accessed_at and signs a fresh JWT on every call, as Stytch's contract requires. Idle RSS ${fmt(peer.idleRssMb)} MB.`,
    );
  }
  if (db.dialect === "postgres") {
    out.push(
      '- PostgreSQL runs on the same machine: its backends\' CPU is not in "server CPU µs/req" (the Gatehouse process only) and shows up as "other cores" in the per-round table.',
    );
  }
  out.push(
    `- Gatehouse idle memory: RSS ${fmt(extra.startRssMb)} MB (JS heap ${fmt(extra.startHeapMb)} MB) one second after start, before any request; RSS ${fmt(extra.idleRssMb)} MB (heap ${fmt(extra.idleHeapMb)} MB) two seconds after seeding (which ran 200 argon2id logins). At rest (${RESTING_SECONDS} s without a request, when V8 has given back the heap that start-up or the burst grew, if its memory reducer ran): ${fmt(extra.restingStart.rssMb)} MB (V8 heap committed ${fmt(extra.restingStart.heapTotalMb)} MB) after start, ${fmt(extra.restingSeeded.rssMb)} MB (heap ${fmt(extra.restingSeeded.heapTotalMb)} MB) after seeding; the targets below read these. The server runs as \`node ${GATEHOUSE_NODE_FLAGS.join(" ")}\`, as bin/gatehouse.js and npm start run it. The RSS column below is read right after each scenario. Database size after the run: ${(extra.dbBytes / 2 ** 20).toFixed(1)} MiB.`,
  );
  out.push("");
  out.push(table(rows));
  out.push("");
  if (extra.flood) {
    const { idle, flooded, flood } = extra.flood;
    out.push("## Session checks under a login flood");
    out.push("");
    out.push(
      `Session checks at a fixed ${FLOOD_SESSION_RATE} req/s (4 connections), first alone, then while ${LOGIN_CONNECTIONS} connections send correct-password logins as fast as the server answers (${fmtSpread(flood.rps)} logins/s). Event-loop lag is the server process's own \`monitorEventLoopDelay\` p99 during each round, read over IPC by a probe the bench preloads (\`bench/lib/probe.mjs\`; nothing is added to the server).`,
    );
    out.push("");
    out.push("| | session p50 ms | session p99 ms | event-loop lag p99 ms |");
    out.push("| --- | ---: | ---: | ---: |");
    out.push(
      `| idle | ${fmtSpread(idle.p50)} | ${fmtSpread(idle.p99)} | ${idle.lagP99 ? fmtSpread(idle.lagP99) : "–"} |`,
    );
    out.push(
      `| under login flood | ${fmtSpread(flooded.p50)} | ${fmtSpread(flooded.p99)} | ${flooded.lagP99 ? fmtSpread(flooded.lagP99) : "–"} |`,
    );
    out.push(`| ratio | | ${(flooded.p99.median / idle.p99.median).toFixed(2)}× | |`);
    const pooledIdle = pooledP99(idle.rounds);
    const pooledFlooded = pooledP99(flooded.rounds);
    out.push(
      "",
      `At ${FLOOD_SESSION_RATE} req/s a round's p99 is its tenth-slowest check of a thousand, and it moves a lot between rounds (the ranges above). Pooled over all ${idle.rounds.length} rounds (${pooledIdle.count} checks idle, ${pooledFlooded.count} under the flood): p99 ${fmt(pooledIdle.p99)} ms idle, ${fmt(pooledFlooded.p99)} ms under the flood, **${(pooledFlooded.p99 / pooledIdle.p99).toFixed(2)}×**. The target below reads the medians, as every other figure here does.`,
    );
    out.push("");
  }
  out.push("## Targets (issue 5)");
  out.push("");
  out.push("| Target | Measured | Goal | |");
  out.push("| --- | ---: | ---: | --- |");
  // Paired ratios when the floor ran beside the session checks; else the medians of separate runs.
  const floorRatio = (scenario: string, m: Measured | undefined) =>
    extra.pairedRatios.get(scenario)?.median ?? (m && floor ? m.rps.median / floor.rps.median : undefined);
  const tokenRatio = floorRatio("sessions/authenticate (session_token)", token);
  const jwtRatio = floorRatio("sessions/authenticate (session_jwt)", jwt);
  if (tokenRatio !== undefined)
    out.push(check("session authenticate by token vs floor", tokenRatio, 0.5, true, "%"));
  if (jwtRatio !== undefined)
    out.push(check("session authenticate by JWT vs floor", jwtRatio, 0.6, true, "%"));
  if (login)
    out.push(check("password login vs hash ceiling", login.rps.median / argon2.ceiling, 0.85, true, "%"));
  if (extra.flood)
    out.push(
      check(
        "session p99 under login flood vs idle",
        extra.flood.flooded.p99.median / extra.flood.idle.p99.median,
        2,
        false,
        "×",
      ),
    );
  // With --cpu-prof the server holds every sample and code entry the profiler recorded since its start (an
  // `--only jwks` run rested at 125 MB after seeding profiled, 99 MB without it), so its memory is not read
  // against the target.
  const memory = (label: string, rssMb: number) =>
    cpuProfileDir
      ? `| ${label} | ${fmt(rssMb)} MB | ≤ 120 MB | not read: a profiled run (--cpu-prof) holds the profiler's memory too |`
      : check(label, rssMb, 120, false, " MB");
  out.push(memory(`idle RSS at rest after start (${RESTING_SECONDS} s)`, extra.restingStart.rssMb));
  out.push(
    memory(`idle RSS at rest after seeding (200 logins; ${RESTING_SECONDS} s)`, extra.restingSeeded.rssMb),
  );
  const yardsticks: string[] = [];
  const sized = common.sizedFloor && floor ? common.sizedFloor.rps.median / floor.rps.median : undefined;
  if (sized !== undefined) yardsticks.push(`${pct(sized)} of the floor with the token checks' requests`);
  const sizedJwt = extra.pairedRatios.get("floor-sized-jwt");
  if (sizedJwt)
    yardsticks.push(`${pct(sizedJwt.median)} of the floor (per pair) with the JWT checks' requests`);
  if (yardsticks.length > 0) {
    out.push("");
    out.push(
      `What the answer's size allows: a bare node:http server sending a fixed ${SESSION_ANSWER_BYTES} B answer reached ${yardsticks.join(", and ")} in this run. A session check, which sends Stytch's answer of that size, cannot do better than that on this machine with this load generator.`,
    );
  }
  if (login) {
    out.push("");
    out.push(
      `What the machine allows for logins: ${CORES} argon2id hashes side by side reached ${fmt(common.argon2Parallel.perSecond)}/s in the bench process, ${pct(common.argon2Parallel.perSecond / argon2.ceiling)} of the hash ceiling; correct-password logins ran at ${pct(login.rps.median / common.argon2Parallel.perSecond)} of that.`,
    );
  }
  out.push("");
  out.push("<details><summary>Every round</summary>");
  out.push("");
  out.push(roundsDetail(rows));
  out.push("");
  out.push("</details>");
  return out.join("\n");
}

function peerVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(join(ROOT, "node_modules", "better-auth", "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
  } catch {
    return "?";
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);

/** The p99 of every latency of `rounds` together (rounds measured with runHttp keep theirs). */
function pooledP99(rounds: Round[]): { p99: number; count: number } {
  const all = rounds.flatMap((r) => r.latencies ?? []);
  return { p99: percentile(all, 99), count: all.length };
}
