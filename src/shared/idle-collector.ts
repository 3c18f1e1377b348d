import { performance } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface IdleCollectorOptions {
  /** How often the event loop's utilization is sampled. */
  readonly intervalMs: number;
  /** How many quiet samples in a row make the process idle. */
  readonly quietSamples: number;
  /** A sample is quiet when the event loop was busy less than this share of it. */
  readonly quietUtilization: number;
  /** Collect only when V8 holds at least this many bytes of heap beyond what is in use. */
  readonly minSlackBytes: number;
}

export const IDLE_COLLECTOR_DEFAULTS: IdleCollectorOptions = {
  intervalMs: 5_000,
  quietSamples: 4,
  quietUtilization: 0.01,
  minSlackBytes: 8 * 1024 * 1024,
};

export interface IdleCollection {
  readonly slackBytes: number;
  readonly durationMs: number;
  readonly committedAfterBytes: number;
}

/**
 * Runs one full garbage collection when the process turns idle after work, so that V8 can give back the heap a
 * burst grew.
 *
 * Why: V8 shrinks a grown heap only from its memory reducer, and the reducer runs only after a full (mark-compact)
 * collection. A burst of requests that ends without one (young-generation collections only) leaves the heap
 * committed for good: measured on PostgreSQL after 200 logins, 114–117 MB RSS at rest with 48 MB of heap
 * committed (bench/results/2026-11-26-optimisations.md, "A sixth pass"). This collector is that missing full
 * collection, once per busy-then-idle cycle.
 *
 * Contract: it collects at most once after each busy period, only after `quietSamples` samples in a row during
 * which the event loop was busy less than `quietUtilization` of the time (so nobody is waiting on the loop), and
 * only if V8 holds at least `minSlackBytes` more heap than it uses. A request that arrives during that collection
 * waits for it (tens of milliseconds at most on a heap of this size). Nothing here runs per request: the signal is
 * the event loop's own utilization, sampled by an unref'd timer that never keeps the process alive.
 */
export function startIdleCollector(
  options: IdleCollectorOptions = IDLE_COLLECTOR_DEFAULTS,
  onCollect: (collection: IdleCollection) => void = () => {},
): () => void {
  const collect = fullCollection();
  // Memory at rest is a nicety: a Node whose V8 will not hand out gc() runs the server without it.
  if (collect === null) return () => {};
  let previous = performance.eventLoopUtilization();
  let quiet = 0;
  let busySinceCollection = false;
  const timer = setInterval(() => {
    const current = performance.eventLoopUtilization();
    const { active, idle } = performance.eventLoopUtilization(current, previous);
    previous = current;
    // Over at least a whole interval: a timer that fires late, straight after other work, sees a sample of a
    // fraction of a millisecond with no idle time in it, which is not a busy loop.
    if (active / Math.max(active + idle, options.intervalMs) >= options.quietUtilization) {
      quiet = 0;
      busySinceCollection = true;
      return;
    }
    quiet++;
    if (!busySinceCollection || quiet < options.quietSamples) return;
    busySinceCollection = false;
    const before = getHeapStatistics();
    const slackBytes = before.total_heap_size - before.used_heap_size;
    if (slackBytes < options.minSlackBytes) return;
    const started = performance.now();
    collect();
    const durationMs = performance.now() - started;
    onCollect({ slackBytes, durationMs, committedAfterBytes: getHeapStatistics().total_heap_size });
    // The collector's own time (the collection, its report) is not work: counted, it would set off the next one.
    previous = performance.eventLoopUtilization();
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * V8's `gc()`, taken from a fresh context so the main context's globals stay as they were (no `gc` for
 * dependencies to find). The flag only makes the function available: it changes no collector behaviour. Null
 * where it cannot be had.
 */
function fullCollection(): (() => void) | null {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === "function") return existing;
  if (flagsFrozen()) return null;
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("typeof gc === 'function' ? gc : null");
    return typeof gc === "function" ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

/**
 * Whether node was started with V8's flags frozen after start-up (`--freeze-flags-after-init`; Node leaves them
 * unfrozen by default). Setting a flag then aborts the whole process, which no try/catch can stop, so the
 * collector must not try.
 */
export function flagsFrozen(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? "",
): boolean {
  let frozen = false;
  for (const arg of [...nodeOptions.split(/\s+/), ...execArgv]) {
    const flag = arg.replaceAll("_", "-");
    if (flag === "--freeze-flags-after-init") frozen = true;
    else if (flag === "--no-freeze-flags-after-init") frozen = false;
  }
  return frozen;
}
