/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, as `npm run bench -- --cpu-prof` writes for the server):
 * self time by function and by package, and inclusive time of Gatehouse's own functions.
 *
 *   npx tsx bench/profile.ts $TMPDIR/gatehouse-bench/profiles/CPU.*.cpuprofile [--top 30] [--last 10]
 *     [--from 40 --to 55] [--timeline]
 *
 * `--last N` keeps only the profile's last N seconds: with `--only <one scenario>` that is the measured load,
 * without the start-up and seeding that would otherwise dominate the picture. `--from S` / `--to S` keep a
 * window (seconds from the profile's start) instead, such as the flood scenario's idle rounds, which
 * `--timeline` (the main thread's busy share in each second) helps to find.
 */
import { numberFlag } from "./lib/args.js";
import { readProfile } from "./lib/stages.js";

const files = process.argv.slice(2).filter((a) => !a.startsWith("--") && !/^\d+$/.test(a));
const topIndex = process.argv.indexOf("--top");
const top = topIndex > 0 ? numberFlag(new Map([["top", process.argv[topIndex + 1] ?? "30"]]), "top", 30) : 30;
const lastIndex = process.argv.indexOf("--last");
const lastSeconds =
  lastIndex > 0 ? numberFlag(new Map([["last", process.argv[lastIndex + 1] ?? "0"]]), "last", 0) : 0;
/** A flag's number, or undefined when the flag is absent. */
function optionalSeconds(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? numberFlag(new Map([[name, process.argv[i + 1] ?? "0"]]), name, 0) : undefined;
}
const fromSeconds = optionalSeconds("from");
const toSeconds = optionalSeconds("to");
const timeline = process.argv.includes("--timeline");

function where(url: string): string {
  if (!url) return "(native)";
  if (url.startsWith("node:")) return url;
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const dist = url.indexOf("/dist/");
  if (dist >= 0) return `gatehouse:${url.slice(dist + 6)}`;
  return url.replace(/^file:\/\//, "");
}

for (const file of files) {
  const profile = readProfile(file);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Sample time per node, from timeDeltas (microseconds).
  const self = new Map<number, number>();
  const span = profile.timeDeltas.reduce((a, b) => a + b, 0);
  const from = fromSeconds !== undefined ? fromSeconds * 1e6 : lastSeconds > 0 ? span - lastSeconds * 1e6 : 0;
  const to = toSeconds !== undefined ? toSeconds * 1e6 : span;
  const idleNode = new Set(
    profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id),
  );
  const busyBySecond: number[] = [];
  let at = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (!idleNode.has(id)) {
      const second = Math.floor(at / 1e6);
      busyBySecond[second] = (busyBySecond[second] ?? 0) + us;
    }
    if (at < from || at > to) return;
    self.set(id, (self.get(id) ?? 0) + us);
  });
  if (timeline) {
    console.log("second: main thread busy");
    for (const [s, us] of busyBySecond.entries()) {
      console.log(`${String(s).padStart(5)}: ${((us ?? 0) / 1e4).toFixed(0)}%`);
    }
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idleIds = new Set(
    profile.nodes
      .filter((n) => ["(idle)", "(program)", "(garbage collector)"].includes(n.callFrame.functionName))
      .map((n) => n.id),
  );
  const idle = profile.nodes
    .filter((n) => n.callFrame.functionName === "(idle)")
    .reduce((a, n) => a + (self.get(n.id) ?? 0), 0);
  const busy = total - idle;
  const fnSelf = new Map<string, number>();
  const pkgSelf = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") continue;
    const key = `${functionName || "(anonymous)"} ${where(url)}${url ? `:${lineNumber + 1}` : ""}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
    const pkg = idleIds.has(id)
      ? functionName
      : where(url).split(":")[0] === "gatehouse"
        ? "gatehouse (src)"
        : where(url);
    pkgSelf.set(pkg, (pkgSelf.get(pkg) ?? 0) + us);
    // Inclusive time of every Gatehouse frame on the stack (each counted once per sample).
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      if (!frame.url.includes("/dist/")) continue;
      const k = `${frame.functionName || "(anonymous)"} ${where(frame.url)}:${frame.lineNumber + 1}`;
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const show = (title: string, map: Map<string, number>, n: number) => {
    console.log(`\n## ${title}\n`);
    for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(
        `${((us / busy) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`,
      );
    }
  };
  console.log(`# ${file}`);
  console.log(
    `profile ${(total / 1e6).toFixed(1)} s, main thread busy ${(busy / 1e6).toFixed(1)} s (${((busy / total) * 100).toFixed(0)}%); percentages are of busy time`,
  );
  show("Self time by package", pkgSelf, 20);
  show("Self time by function", fnSelf, top);
  show("Inclusive time of Gatehouse functions", inclusive, top);
}
