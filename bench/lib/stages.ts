import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Where a server's main-thread time went, by stage of a request, within given windows of a V8 CPU profile.
 *
 * Why: a session check and its yardstick (a bare node:http server sent the same requests and answering with a
 * body of the same size) differ by tens of µs per request, and the question is which part of that is
 * Gatehouse's own code and which is the socket, the parser or the collector that every server pays for.
 * Comparing the two servers' profiles stage by stage, per request, answers it.
 */

/** A V8 CPU profile (`node --cpu-prof`), as far as the bench reads it. */
export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A stretch of the profile, in the monotonic clock's µs (V8's profile timestamps and `monotonicUs()` agree). */
export interface Window {
  fromUs: number;
  toUs: number;
}

type Frame = ProfileNode["callFrame"];

/**
 * The stages, in the order they are tried: a sample belongs to the first stage any frame of its stack
 * matches, so a socket write made while computing an answer counts as a socket write.
 */
const STAGES: ReadonlyArray<readonly [string, (f: Frame) => boolean]> = [
  [
    "socket write (writev, in the kernel too)",
    (f) => f.functionName === "writev" || f.functionName === "writevGeneric",
  ],
  ["garbage collector", (f) => f.functionName === "(garbage collector)"],
  ["request digest (answer cache key)", (f) => f.functionName === "requestKey"],
  ["answer cache and change feed", (f) => /\/(answer-cache|change-feed)\.js$/.test(f.url)],
  [
    "computing an answer (Fastify, service, SQL, JWT)",
    (f) =>
      /node_modules\/(fastify|find-my-way|avvio|ajv|fast-json-stringify|kysely|better-sqlite3|pg)\//.test(
        f.url,
      ) ||
      (f.url.includes("/dist/") && !f.url.endsWith("/session-check-front.js")),
  ],
  ["native, unattributed ((program))", (f) => f.functionName === "(program)"],
];
/**
 * Samples whose innermost JavaScript frame is Node's HTTP parser glue. Told by the innermost frame, not by any
 * frame on the stack: the parser's callbacks are on the stack of everything a request listener does.
 */
const PARSING = "HTTP parsing and headers";
const isParsing = (f: Frame) => /^node:_http_(common|incoming)$/.test(f.url);
const OTHER = "other (streams, events, the front, response, timers)";

/** Stage names in report order. */
export const STAGE_NAMES: readonly string[] = [...STAGES.map(([name]) => name), PARSING, OTHER];

/** Busy main-thread µs by stage within the windows (idle time is left out). */
export function stageTimes(profile: Profile, windows: readonly Window[]): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, string | null>();
  const classify = (id: number): string | null => {
    const known = stageOf.get(id);
    if (known !== undefined) return known;
    const frames: Frame[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      frames.push((byId.get(cur) as ProfileNode).callFrame);
    }
    const leaf = frames[0] as Frame;
    const innermostJs = frames.find((f) => f.url !== "");
    const stage =
      leaf.functionName === "(idle)"
        ? null
        : (STAGES.find(([, test]) => frames.some(test))?.[0] ??
          (innermostJs && isParsing(innermostJs) ? PARSING : OTHER));
    stageOf.set(id, stage);
    return stage;
  };
  const times = new Map<string, number>(STAGE_NAMES.map((name) => [name, 0]));
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (!windows.some((w) => at >= w.fromUs && at < w.toUs)) return;
    const stage = classify(id);
    if (stage !== null) times.set(stage, (times.get(stage) ?? 0) + us);
  });
  return times;
}

/** The clock V8's CPU profiles are stamped with (CLOCK_MONOTONIC), in µs. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** A `.cpuprofile` file, parsed (they run to tens of MB: read each once). */
export function readProfile(file: string): Profile {
  return JSON.parse(readFileSync(file, "utf8")) as Profile;
}

/** The main thread's profile of process `pid` in `dir` (`node --cpu-prof` names it CPU.<date>.<time>.<pid>.0.<n>). */
export function mainThreadProfile(dir: string, pid: number): string | undefined {
  const name = readdirSync(dir).find((f) => f.includes(`.${pid}.0.`) && f.endsWith(".cpuprofile"));
  return name ? join(dir, name) : undefined;
}
