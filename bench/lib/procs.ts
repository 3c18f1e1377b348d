import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Server processes the bench starts: Gatehouse, the node:http floor, the Better Auth peer. */

export const ROOT = join(import.meta.dirname, "..", "..");
/** Scratch space (databases, logs, the compiled server, profiles): outside the repository, so no tool lints it. */
export const TMP = join(tmpdir(), "gatehouse-bench");
const PROBE = join(ROOT, "bench", "lib", "probe.mjs");

export interface ProbeReading {
  lag: { p50: number; p99: number; max: number; mean: number };
  /** Bytes: the process's RSS, V8's live heap, and the heap V8 holds committed (live or not). */
  memory: { rss: number; heapUsed: number; heapTotal: number };
}

export interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resident set size and its peak (VmHWM), in MB, from /proc. */
  memory(): { rssMb: number; peakMb: number };
  /** CPU time the process has used so far (user + system), in seconds, from /proc. */
  cpuSeconds(): number;
  /** Resets the event-loop delay histogram of the process. */
  resetLag(): Promise<void>;
  /** Event-loop lag since the last reset, and memory, as the process sees them. */
  readProbe(): Promise<ProbeReading>;
  stop(): Promise<void>;
}

/** USER_HZ: /proc reports CPU times in these ticks (100 on Linux). */
const CLOCK_TICKS = 100;

/** Busy and total jiffies of the whole machine, from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

export async function freePort(): Promise<number> {
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

/**
 * Starts `node [nodeArgs] script [args]` with the probe preloaded and an IPC channel, and waits until
 * `healthPath` answers 200. Output goes to `logFile`.
 */
export async function startServer(options: {
  name: string;
  script: string;
  args?: string[];
  nodeArgs?: string[];
  env: Record<string, string>;
  healthPath: string;
  logFile: string;
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const port = await freePort();
  const log = createWriteStream(options.logFile);
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), "--import", PROBE, options.script, ...(options.args ?? [])],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env, PORT: String(port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${options.name} exited with ${child.exitCode}; see ${options.logFile}`);
    }
    try {
      const res = await fetch(`${url}${options.healthPath}`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${options.name} did not become healthy; see ${options.logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  let nextId = 0;
  const pending = new Map<number, (reply: ProbeReading) => void>();
  child.on("message", (message: { type?: string; id?: number } & ProbeReading) => {
    if (message?.type !== "probe:reply" || message.id === undefined) return;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  const ask = (type: string) =>
    new Promise<ProbeReading>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ type, id }, (error) => {
        if (error) reject(error);
      });
    });
  const pid = child.pid ?? 0;

  return {
    name: options.name,
    url,
    pid,
    child,
    memory() {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
      return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
    },
    cpuSeconds() {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised command name): utime, stime in ticks.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    },
    async resetLag() {
      await ask("probe:reset");
    },
    readProbe: () => ask("probe:read"),
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => log.end(() => resolve());
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        child.once("exit", () => {
          clearTimeout(timer);
          done();
        });
        child.kill("SIGTERM");
      }),
  };
}
