import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants, PerformanceObserver, performance } from "node:perf_hooks";
import { afterEach, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import {
  flagsFrozen,
  type IdleCollection,
  type IdleCollectorOptions,
  startIdleCollector,
} from "./idle-collector.js";

// Short intervals so a test takes a fraction of a second; the server's own are in IDLE_COLLECTOR_DEFAULTS.
const FAST: IdleCollectorOptions = {
  intervalMs: 20,
  quietSamples: 3,
  quietUtilization: 0.5,
  minSlackBytes: 0,
};

/** Holds the event loop for `ms`, as a burst of requests would. */
function busyFor(ms: number): void {
  const end = performance.now() + ms;
  let spins = 0;
  while (performance.now() < end) spins++;
  assert.ok(spins > 0);
}

let stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
});

function start(options: IdleCollectorOptions) {
  const collections: IdleCollection[] = [];
  const waiters: Array<() => void> = [];
  stops.push(
    startIdleCollector(options, (collection) => {
      collections.push(collection);
      for (const wake of waiters.splice(0)) wake();
    }),
  );
  const next = (timeoutMs: number) =>
    Promise.race([
      new Promise<boolean>((resolve) => waiters.push(() => resolve(true))),
      sleep(timeoutMs).then(() => false),
    ]);
  return { collections, next };
}

describe("idle collector", () => {
  it("runs one full collection when the loop turns quiet after work, then waits for the next busy spell", async () => {
    const majors: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors.push(entry.startTime);
      }
    });
    observer.observe({ entryTypes: ["gc"] });
    try {
      const { collections, next } = start(FAST);
      await sleep(30);
      const majorsBefore = majors.length;
      busyFor(80);
      assert.equal(await next(2_000), true, "a collection after the busy spell");
      assert.equal(collections.length, 1);
      const [first] = collections;
      assert.ok(first && first.durationMs >= 0 && first.committedAfterBytes > 0);
      // Staying idle does not collect again.
      await sleep(FAST.intervalMs * FAST.quietSamples * 4);
      assert.equal(collections.length, 1);
      busyFor(80);
      assert.equal(await next(2_000), true, "a collection after the second busy spell");
      assert.equal(collections.length, 2);
      await sleep(50); // gc entries reach observers asynchronously
      const ran = majors.length - majorsBefore;
      assert.ok(ran >= 2, `a major (mark-compact) collection per idle collection, saw ${ran}`);
    } finally {
      observer.disconnect();
    }
  });

  it("does not count its own time as work: a long collection sets off no other", async () => {
    const collections: IdleCollection[] = [];
    // A report that holds the loop for several samples' worth, as a collection of a large heap would.
    stops.push(
      startIdleCollector(FAST, (collection) => {
        collections.push(collection);
        busyFor(FAST.intervalMs * 4);
      }),
    );
    await sleep(30);
    busyFor(80);
    await sleep(FAST.intervalMs * FAST.quietSamples * 8);
    assert.equal(collections.length, 1);
  });

  it("does nothing in a process that was never busy while it watched", async () => {
    const { collections } = start(FAST);
    await sleep(FAST.intervalMs * FAST.quietSamples * 6);
    assert.equal(collections.length, 0);
  });

  it("does not collect while the loop stays busy, only once it has been quiet for the set number of samples", async () => {
    const { collections, next } = start(FAST);
    // Work that leaves the loop only between turns, as a steady stream of requests does: every sample is busy.
    const until = performance.now() + FAST.intervalMs * FAST.quietSamples * 5;
    while (performance.now() < until) {
      busyFor(5);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(collections.length, 0);
    assert.equal(await next(2_000), true);
  });

  it("leaves the heap alone when V8 holds less spare heap than the threshold", async () => {
    const { collections } = start({ ...FAST, minSlackBytes: Number.MAX_SAFE_INTEGER });
    busyFor(80);
    await sleep(FAST.intervalMs * FAST.quietSamples * 6);
    assert.equal(collections.length, 0);
  });
});

describe("idle collector where V8's flags are frozen", () => {
  it("reads node's flags, the command line's over NODE_OPTIONS", () => {
    assert.equal(flagsFrozen([], ""), false);
    assert.equal(flagsFrozen(["--freeze-flags-after-init"], ""), true);
    assert.equal(flagsFrozen(["--freeze_flags_after_init"], ""), true);
    assert.equal(flagsFrozen([], "--max-old-space-size=100 --freeze-flags-after-init"), true);
    assert.equal(flagsFrozen(["--no-freeze-flags-after-init"], "--freeze-flags-after-init"), false);
  });

  it("starts and stops without touching them: setting a flag then would abort the process", () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-idle-"));
    try {
      const script = join(dir, "start.mts");
      const module = pathToFileURL(join(import.meta.dirname, "idle-collector.ts")).href;
      writeFileSync(
        script,
        `import { startIdleCollector } from ${JSON.stringify(module)};\nstartIdleCollector()();\nconsole.log("started");\n`,
      );
      const run = spawnSync(process.execPath, ["--freeze-flags-after-init", "--import", "tsx", script], {
        encoding: "utf8",
        timeout: 30_000,
      });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout.trim(), "started");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
