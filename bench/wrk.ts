/**
 * Session checks under wrk (Debian's `wrk`, C, a few µs per request) instead of autocannon. Run by hand:
 *
 *   apt-get install wrk
 *   npm run bench:wrk                       SQLite; `-- --dialect postgres` with GATEHOUSE_BENCH_POSTGRES_URL
 *   npm run bench:wrk -- --rounds 5 --seconds 5
 *   npm run bench:wrk -- --cpu-prof          profiles Gatehouse and the yardstick ($TMPDIR/gatehouse-bench/profiles)
 *                                           and prints where each request's main-thread time went, stage by stage
 *
 * Why a second load generator: autocannon runs in JavaScript on the same two cores and pays for every byte of a
 * 4.5 KB answer, so in `npm run bench` a bare server sending that answer is itself far below the floor and the
 * session checks' ratios mostly measure the load generator. wrk costs little per request, so here the server
 * is what limits each figure, and a check's distance from its yardstick (a bare node:http server sent the same
 * requests and answering with a body of the same size) is Gatehouse's own work. Each round runs the floor, then
 * for each credential kind its yardstick and the check, back to back, and every ratio reads the floor of its own
 * round (this machine's speed drifts within minutes). Prints Markdown; writes nothing.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { numberFlag, parseFlags } from "./lib/args.js";
import { buildServer, gitRevision, machine } from "./lib/env.js";
import { SESSION_ANSWER_BYTES, startFloor } from "./lib/floors.js";
import {
  basicAuth,
  createBenchDatabase,
  createBenchProject,
  type Dialect,
  startGatehouse,
} from "./lib/gatehouse.js";
import { type ServerProcess, TMP } from "./lib/procs.js";
import { ApiClient, BENCH_PASSWORD, seedThroughApi } from "./lib/seed-api.js";
import {
  mainThreadProfile,
  monotonicUs,
  readProfile,
  STAGE_NAMES,
  stageTimes,
  type Window,
} from "./lib/stages.js";
import { fmt, median, pct } from "./lib/stats.js";

const flags = parseFlags(process.argv.slice(2));
const rounds = numberFlag(flags, "rounds", 3);
const seconds = numberFlag(flags, "seconds", 5);
const dialect = (flags.get("dialect") ?? "sqlite") as Dialect;
const SCRIPTS = join(TMP, "wrk");

interface WrkResult {
  rps: number;
  /** Server CPU per request over the run, from /proc (µs). */
  cpuUs: number;
  requests: number;
  /** When the load ran, on the clock CPU profiles are stamped with. */
  window: Window;
}

/** A Lua script that sends the session-check requests, one body after the other, with Basic auth. */
function sessionScript(name: string, authorization: string, bodies: string[]): string {
  const file = join(SCRIPTS, `${name}.lua`);
  // Long brackets hold any JSON; the bodies are tokens and JWTs (base64url), never "]==]".
  const list = bodies.map((b) => `[==[${b}]==]`).join(",\n");
  writeFileSync(
    file,
    `local bodies = {${list}}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "${authorization}"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/v1/b2b/sessions/authenticate", nil, bodies[i])
end
`,
  );
  return file;
}

function runWrk(server: ServerProcess, script?: string, duration = seconds): WrkResult {
  const cpuBefore = server.cpuSeconds();
  const fromUs = monotonicUs();
  const out = execFileSync(
    "wrk",
    ["-t2", "-c10", `-d${duration}s`, ...(script ? ["-s", script] : []), `${server.url}/`],
    { encoding: "utf8" },
  );
  const cpu = server.cpuSeconds() - cpuBefore;
  const window = { fromUs, toUs: monotonicUs() };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  // wrk counts answers outside 2xx/3xx: any of them means the figure is not of the path it names.
  if (/Non-2xx or 3xx responses/.test(out) || !(requests > 0)) {
    throw new Error(`wrk against ${server.name}: not every answer was 200\n${out}`);
  }
  return { rps, cpuUs: (cpu / requests) * 1e6, requests, window };
}

function hasWrk(): boolean {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    // wrk --version prints its banner and exits 1; only a missing binary is an error.
    return (error as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

async function main() {
  if (!hasWrk()) {
    console.error("wrk is not installed: apt-get install wrk");
    process.exit(2);
  }
  rmSync(SCRIPTS, { recursive: true, force: true });
  mkdirSync(SCRIPTS, { recursive: true });
  buildServer();
  const cpuProfileDir = flags.has("cpu-prof") ? join(TMP, "profiles") : undefined;
  const floor = await startFloor("wrk-floor");
  const sized = await startFloor("wrk-floor-sized", {
    answerBytes: SESSION_ANSWER_BYTES,
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
  });
  const db = await createBenchDatabase(dialect, "wrk", process.env.GATEHOUSE_BENCH_POSTGRES_URL);
  const project = await createBenchProject(db);
  const gatehouse = await startGatehouse(db, {
    logLevel: "warn",
    name: `gatehouse-wrk-${dialect}`,
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
  });
  const lines: string[] = [];
  const byKind = new Map<string, { yardstick: WrkResult[]; check: WrkResult[] }>();
  try {
    const hasher = (await import("../src/passwords/hasher.js")).createArgon2idHasher();
    const seed = await seedThroughApi(
      new ApiClient(gatehouse.url, project.credentials),
      project.store,
      await hasher.hash(BENCH_PASSWORD),
      { organizations: 10, loginMembers: 200, wrongMembers: 0 },
    );
    const authorization = basicAuth(project.credentials);
    const kinds = (["session_token", "session_jwt"] as const).map((by) => ({
      by,
      script: sessionScript(
        by,
        authorization,
        seed.sessions.map((s) => JSON.stringify({ [by]: s[by] })),
      ),
    }));
    // Warm-up: JIT, connections, each session's first answer.
    runWrk(floor, undefined, 2);
    for (const kind of kinds) {
      runWrk(sized, kind.script, 2);
      runWrk(gatehouse, kind.script, 2);
    }
    lines.push(
      `# Session checks under wrk: ${dialect === "sqlite" ? "SQLite" : "PostgreSQL"}`,
      "",
      `${machine()}; revision ${gitRevision()}; wrk -t2 -c10, ${rounds} rounds of ${seconds} s; 200 sessions from real password logins, round-robin. Ratios are to the floor of the same round; CPU is the server process's, per request.`,
      "",
      "| round | floor req/s (CPU µs) | kind | yardstick: bare server, same requests, 4.5 KB answer | Gatehouse check | check vs its yardstick |",
      "| ---: | ---: | --- | ---: | ---: | ---: |",
    );
    const floorCpu: number[] = [];
    for (const k of kinds) byKind.set(k.by, { yardstick: [], check: [] });
    const ratios = new Map(kinds.map((k) => [k.by, { yardstick: [] as number[], check: [] as number[] }]));
    for (let round = 1; round <= rounds; round++) {
      const base = runWrk(floor);
      floorCpu.push(base.cpuUs);
      for (const kind of kinds) {
        const yardstick = runWrk(sized, kind.script);
        const check = runWrk(gatehouse, kind.script);
        byKind.get(kind.by)?.yardstick.push(yardstick);
        byKind.get(kind.by)?.check.push(check);
        ratios.get(kind.by)?.yardstick.push(yardstick.rps / base.rps);
        ratios.get(kind.by)?.check.push(check.rps / base.rps);
        lines.push(
          `| ${round} | ${fmt(base.rps)} (${fmt(base.cpuUs)}) | ${kind.by} | ${pct(yardstick.rps / base.rps)} (${fmt(yardstick.cpuUs)} µs) | ${pct(check.rps / base.rps)} (${fmt(check.rps)} req/s, ${fmt(check.cpuUs)} µs) | ${pct(check.rps / yardstick.rps)} |`,
        );
      }
    }
    lines.push(
      "",
      `Medians over the ${rounds} rounds (server CPU per request: the floor ${fmt(median(floorCpu))} µs):`,
      "",
    );
    for (const kind of kinds) {
      const r = ratios.get(kind.by);
      const m = byKind.get(kind.by);
      if (!r || !m) continue;
      lines.push(
        `- ${kind.by}: the yardstick ${pct(median(r.yardstick))} of the floor (${fmt(median(m.yardstick.map((x) => x.cpuUs)))} µs), the check ${pct(median(r.check))} (${fmt(median(m.check.map((x) => x.cpuUs)))} µs).`,
      );
    }
  } finally {
    await gatehouse.stop();
    await Promise.all([floor.stop(), sized.stop()]);
    await project.close();
    await db.drop();
  }
  if (cpuProfileDir) lines.push("", ...stagesTable(cpuProfileDir, sized.pid, gatehouse.pid, byKind));
  console.log(lines.join("\n"));
}

/**
 * Main-thread µs per request by stage, for each kind's yardstick and check, pooled over the rounds (the
 * profiles are written when the servers exit).
 */
function stagesTable(
  dir: string,
  yardstickPid: number,
  gatehousePid: number,
  byKind: Map<string, { yardstick: WrkResult[]; check: WrkResult[] }>,
): string[] {
  const yardstickFile = mainThreadProfile(dir, yardstickPid);
  const gatehouseFile = mainThreadProfile(dir, gatehousePid);
  if (!yardstickFile || !gatehouseFile) return [`(no CPU profile found in ${dir})`];
  const yardstickProfile = readProfile(yardstickFile);
  const gatehouseProfile = readProfile(gatehouseFile);
  const columns: { title: string; perRequest: Map<string, number> }[] = [];
  for (const [kind, runs] of byKind) {
    for (const [title, profile, list] of [
      ["yardstick", yardstickProfile, runs.yardstick],
      ["check", gatehouseProfile, runs.check],
    ] as const) {
      const requests = list.reduce((a, r) => a + r.requests, 0);
      const times = stageTimes(
        profile,
        list.map((r) => r.window),
      );
      columns.push({
        title: `${kind}: ${title}`,
        perRequest: new Map([...times].map(([stage, us]) => [stage, us / requests])),
      });
    }
  }
  const total = (c: (typeof columns)[number]) => [...c.perRequest.values()].reduce((a, b) => a + b, 0);
  return [
    "Where each request's main-thread time went (µs per request, from the CPU profiles of the yardstick and of Gatehouse, pooled over the rounds; the profiler adds its own cost to both):",
    "",
    `| stage | ${columns.map((c) => c.title).join(" | ")} |`,
    `| --- | ${columns.map(() => "---:").join(" | ")} |`,
    ...STAGE_NAMES.map(
      (stage) =>
        `| ${stage} | ${columns.map((c) => (c.perRequest.get(stage) ?? 0).toFixed(1)).join(" | ")} |`,
    ),
    `| **main thread busy** | ${columns.map((c) => `**${total(c).toFixed(1)}**`).join(" | ")} |`,
  ];
}

await main();
