#!/usr/bin/env node
// Runs the test suite: unit tests beside the code (src/**/*.test.ts) and integration tests (test/**/*.test.ts),
// on SQLite always, and again on PostgreSQL when GATEHOUSE_TEST_POSTGRES_URL is set. Node's own test runner,
// with tsx to load TypeScript. Exit code is non-zero if any run fails.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out.sort();
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...testFiles("src"), ...testFiles("test")];
const runs = [{ name: "sqlite", env: { GATEHOUSE_TEST_DIALECT: "sqlite" } }];
if (process.env.GATEHOUSE_TEST_POSTGRES_URL) {
  runs.push({ name: "postgres", env: { GATEHOUSE_TEST_DIALECT: "postgres" } });
} else {
  console.log("# GATEHOUSE_TEST_POSTGRES_URL is not set: the PostgreSQL run is skipped (SQLite only).");
}

let failed = false;
for (const run of runs) {
  console.log(`\n# ===== test run on ${run.name} =====`);
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
    { stdio: "inherit", env: { ...process.env, ...run.env } },
  );
  if (result.status !== 0) {
    failed = true;
    console.log(`# ===== ${run.name}: FAILED =====`);
  }
}
process.exit(failed ? 1 : 0);
