import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";

/**
 * Runs in a child process: renicing is per thread and cannot be undone without privilege, so the test runner's
 * own pool is left alone. The child reports the nice value (field 19 of /proc/<pid>/task/<tid>/stat) of each
 * of its threads after the call.
 */
function niceValuesAfter(poolSize: number, nice: number): { result: unknown; nices: Record<string, number> } {
  const script = `
    import { readFileSync, readdirSync } from "node:fs";
    import { lowerThreadPoolPriority } from ${JSON.stringify(new URL("./pool-priority.ts", import.meta.url).href)};
    const result = await lowerThreadPoolPriority(${poolSize}, ${nice});
    const nices = {};
    for (const tid of readdirSync("/proc/self/task")) {
      nices[tid] = Number(readFileSync("/proc/self/task/" + tid + "/stat", "utf8").split(") ")[1].split(" ")[16]);
    }
    console.log(JSON.stringify({ result, nices, pid: process.pid }));`;
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    env: { ...process.env, UV_THREADPOOL_SIZE: String(poolSize) },
    encoding: "utf8",
  });
  const parsed = JSON.parse(out) as { result: unknown; nices: Record<string, number>; pid: number };
  assert.equal(parsed.nices[String(parsed.pid)], 0, "the event loop's own thread keeps its priority");
  return parsed;
}

describe("lowerThreadPoolPriority", { skip: process.platform !== "linux" && "Linux only" }, () => {
  it("renices exactly the pool's threads, never the event loop", () => {
    const { result, nices } = niceValuesAfter(4, 10);
    assert.deepEqual(result, { threads: 4, nice: 10 });
    assert.equal(Object.values(nices).filter((n) => n === 10).length, 4);
  });

  it("follows UV_THREADPOOL_SIZE and does nothing at nice 0", () => {
    assert.deepEqual(niceValuesAfter(2, 5).result, { threads: 2, nice: 5 });
    const untouched = niceValuesAfter(4, 0);
    assert.deepEqual(untouched.result, { threads: 0, nice: 0 });
    assert.ok(Object.values(untouched.nices).every((n) => n === 0));
  });
});
