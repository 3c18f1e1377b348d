import { cpus } from "node:os";
import autocannon from "autocannon";
import { machineCpu, type ServerProcess } from "./procs.js";
import { percentile, type Spread, spread } from "./stats.js";

/**
 * Load generation. HTTP scenarios run through autocannon's programmatic API in this process (so the load
 * generator shares the machine's cores with the server under test); flows that need several dependent
 * requests (the magic-link round trip) run as a fixed-concurrency loop of fetch calls. Latencies are recorded
 * here per response in fractional milliseconds (autocannon's own histogram keeps whole milliseconds).
 */

export interface HttpLoad {
  /** Base URL of the server. */
  url: string;
  method?: "GET" | "POST";
  /** Request paths, used round-robin (one is fine). */
  paths: string[];
  headers?: Record<string, string>;
  /** Request bodies, used round-robin across every connection. */
  bodies?: string[];
  /** Extra headers per request (for example a session cookie), used round-robin. */
  headerSets?: Record<string, string>[];
  connections: number;
  /** A fixed request rate (requests per second over all connections) instead of as fast as possible. */
  overallRate?: number;
  /** Which statuses the scenario expects; others are counted as unexpected. */
  ok: (status: number) => boolean;
  /** Keep every latency on the Round (for pooled percentiles); off by default, to keep the bench's heap small. */
  keepLatencies?: boolean;
}

export interface Round {
  rps: number;
  p50: number;
  p99: number;
  count: number;
  unexpected: number;
  statuses: Record<string, number>;
  /** Event-loop lag p99 of the server process during the round (ms), when probed. */
  lagP99?: number;
  lagMax?: number;
  /** Cores the server process used during the round (CPU seconds per second). */
  serverCores?: number;
  /** Share of the whole machine's CPU that was busy during the round. */
  machineBusy?: number;
  /** Cores used by neither the server nor the bench process (other work on the machine: noise). */
  otherCores?: number;
  /** The first failure of a loop scenario, for the report. */
  firstError?: string;
  /** Every response's latency (ms), for percentiles over several rounds pooled. */
  latencies?: number[];
}

export interface Measured {
  rounds: Round[];
  rps: Spread;
  p50: Spread;
  p99: Spread;
  lagP99?: Spread;
  serverCores?: Spread;
  machineBusy?: Spread;
  otherCores?: Spread;
  unexpected: number;
  statuses: Record<string, number>;
  /** RSS of the server process right after the rounds (MB). */
  rssMb?: number;
}

export interface Timing {
  warmupSeconds: number;
  rounds: number;
  seconds: number;
}

const CORES = cpus().length;

/** One autocannon run of `seconds`. */
export function runHttp(load: HttpLoad, seconds: number): Promise<Round> {
  const { paths, bodies, headerSets } = load;
  let next = 0;
  const headers = { ...load.headers, ...(bodies ? { "content-type": "application/json" } : {}) };
  const roundRobin = paths.length > 1 || bodies !== undefined || headerSets !== undefined;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let unexpected = 0;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: load.url,
        connections: load.connections,
        duration: seconds,
        pipelining: 1,
        timeout: 30,
        method: load.method ?? "GET",
        headers,
        ...(load.overallRate ? { overallRate: load.overallRate } : {}),
        requests: [
          {
            path: paths[0] ?? "/",
            ...(bodies?.[0] !== undefined ? { body: bodies[0] } : {}),
            ...(roundRobin
              ? {
                  setupRequest: (request: autocannon.Request) => {
                    const i = next++;
                    const path = paths[i % paths.length] ?? "/";
                    const body = bodies ? bodies[i % bodies.length] : undefined;
                    const extra = headerSets ? headerSets[i % headerSets.length] : undefined;
                    return {
                      ...request,
                      path,
                      ...(body !== undefined ? { body } : {}),
                      ...(extra ? { headers: { ...headers, ...extra } } : {}),
                    };
                  },
                }
              : {}),
          },
        ],
      },
      (error: unknown) => {
        if (error) return reject(error);
        const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
        resolve({
          rps: latencies.length / elapsed,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          count: latencies.length,
          unexpected,
          statuses,
          ...(load.keepLatencies ? { latencies } : {}),
        });
      },
    );
    instance.on("response", (_client, status, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (!load.ok(status)) unexpected++;
    });
  });
}

/**
 * A closed loop of `concurrency` workers, each running `iteration` back to back for `seconds`; an iteration
 * resolves true when everything it checked was as expected.
 */
export async function runLoop(
  concurrency: number,
  seconds: number,
  iteration: () => Promise<boolean>,
): Promise<Round> {
  const latencies: number[] = [];
  let unexpected = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        let ok = false;
        try {
          ok = await iteration();
        } catch (error) {
          ok = false;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
        latencies.push(performance.now() - t);
        if (!ok) unexpected++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    count: latencies.length,
    unexpected,
    statuses: {},
    ...(firstError ? { firstError } : {}),
  };
}

/** Warm-up (discarded), then `rounds` measured rounds; the server's event-loop lag is read per round. */
export async function measure(
  run: (seconds: number) => Promise<Round>,
  timing: Timing,
  server?: ServerProcess,
): Promise<Measured> {
  if (timing.warmupSeconds > 0) await run(timing.warmupSeconds);
  const rounds: Round[] = [];
  for (let i = 0; i < timing.rounds; i++) rounds.push(await measureRound(run, timing.seconds, server));
  return summarize(rounds, server);
}

/** One measured round: the load, the server's CPU and the machine's, and the server's event-loop lag. */
async function measureRound(
  run: (seconds: number) => Promise<Round>,
  seconds: number,
  server?: ServerProcess,
): Promise<Round> {
  await server?.resetLag();
  const cpu = startCpu(server);
  const round = await run(seconds);
  cpu.end(round);
  if (server) {
    const probe = await server.readProbe();
    round.lagP99 = probe.lag.p99;
    round.lagMax = probe.lag.max;
  }
  return round;
}

export interface Paired {
  base: Measured;
  subject: Measured;
  /** subject req/s ÷ base req/s, round by round. */
  ratio: Spread;
}

/**
 * Measures `subject` against `base` in alternating rounds (base 1, subject 1, base 2, subject 2, …), after a
 * warm-up of each, and gives their req/s ratio round by round. This machine's speed drifts by tens of percent
 * within minutes (one run's floor rounds: 57,217, 46,831 and 43,794 req/s), so a floor measured once at the start
 * is a poor yardstick for a scenario measured minutes later; a pair of neighbouring rounds sees the same machine.
 */
export async function measurePaired(
  base: { run: (seconds: number) => Promise<Round>; server?: ServerProcess },
  subject: { run: (seconds: number) => Promise<Round>; server?: ServerProcess },
  timing: Timing,
): Promise<Paired> {
  if (timing.warmupSeconds > 0) {
    await base.run(timing.warmupSeconds);
    await subject.run(timing.warmupSeconds);
  }
  const baseRounds: Round[] = [];
  const subjectRounds: Round[] = [];
  for (let i = 0; i < timing.rounds; i++) {
    baseRounds.push(await measureRound(base.run, timing.seconds, base.server));
    subjectRounds.push(await measureRound(subject.run, timing.seconds, subject.server));
  }
  return {
    base: summarize(baseRounds, base.server),
    subject: summarize(subjectRounds, subject.server),
    ratio: spread(subjectRounds.map((r, i) => r.rps / (baseRounds[i]?.rps ?? Number.NaN))),
  };
}

/** Starts CPU accounting of the server process and the machine; `end` writes it into the round. */
export function startCpu(server?: ServerProcess) {
  const t0 = performance.now();
  const s0 = server?.cpuSeconds();
  const m0 = machineCpu();
  const b0 = process.cpuUsage();
  return {
    end(round: Round) {
      const seconds = (performance.now() - t0) / 1000;
      if (server && s0 !== undefined) round.serverCores = (server.cpuSeconds() - s0) / seconds;
      const m1 = machineCpu();
      round.machineBusy = (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total);
      const b = process.cpuUsage(b0);
      const benchCores = (b.user + b.system) / 1e6 / seconds;
      round.otherCores = Math.max(0, round.machineBusy * CORES - benchCores - (round.serverCores ?? 0));
    },
  };
}

export function summarize(rounds: Round[], server?: ServerProcess): Measured {
  const statuses: Record<string, number> = {};
  for (const r of rounds)
    for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const defined = (values: (number | undefined)[]) => values.filter((v): v is number => v !== undefined);
  const lags = defined(rounds.map((r) => r.lagP99));
  const cores = defined(rounds.map((r) => r.serverCores));
  const busy = defined(rounds.map((r) => r.machineBusy));
  const others = defined(rounds.map((r) => r.otherCores));
  return {
    rounds,
    rps: spread(rounds.map((r) => r.rps)),
    p50: spread(rounds.map((r) => r.p50)),
    p99: spread(rounds.map((r) => r.p99)),
    ...(lags.length ? { lagP99: spread(lags) } : {}),
    ...(cores.length ? { serverCores: spread(cores) } : {}),
    ...(busy.length ? { machineBusy: spread(busy) } : {}),
    ...(others.length ? { otherCores: spread(others) } : {}),
    unexpected: rounds.reduce((n, r) => n + r.unexpected, 0),
    statuses,
    ...(server ? { rssMb: server.memory().rssMb } : {}),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
