import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { createArgon2idHasher } from "../../src/passwords/hasher.js";
import { ROOT, TMP } from "./procs.js";
import { median, percentile } from "./stats.js";

/** The machine, the build, and the hash ceiling. */

export const CORES = cpus().length;

export function machine(): string {
  const model = cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${CORES} × ${model}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${process.platform}`;
}

export function gitRevision(): string {
  if (process.env.BENCH_REVISION) return process.env.BENCH_REVISION;
  try {
    const rev = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "src"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
    return dirty ? `${rev} + uncommitted changes in src/` : rev;
  } catch {
    return "unknown";
  }
}

/** Compiles src/ to $TMPDIR/gatehouse-bench/dist (what `gatehouse serve` runs, without touching the repository's dist/). */
export function buildServer(): void {
  // The compiled files resolve their packages and their module type from the directory above them.
  mkdirSync(TMP, { recursive: true });
  writeFileSync(join(TMP, "package.json"), '{ "type": "module" }\n');
  if (!existsSync(join(TMP, "node_modules")))
    symlinkSync(join(ROOT, "node_modules"), join(TMP, "node_modules"));
  execFileSync(
    process.execPath,
    [
      join(ROOT, "node_modules", "typescript", "bin", "tsc"),
      "-p",
      "tsconfig.build.json",
      "--outDir",
      join(TMP, "dist"),
    ],
    { cwd: ROOT, stdio: "inherit" },
  );
}

export interface HashCost {
  /** Median milliseconds per hash, and the spread. */
  ms: number;
  p10: number;
  p90: number;
  samples: number;
  /** cores × 1000 / ms: logins per second if the hash were the only work. */
  ceiling: number;
}

/** Times `count` sequential hashes in this process, after one warm-up hash. */
export async function hashCost(hash: () => Promise<unknown>, count: number): Promise<HashCost> {
  await hash();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await hash();
    times.push(performance.now() - t);
  }
  const ms = median(times);
  return {
    ms,
    p10: percentile(times, 10),
    p90: percentile(times, 90),
    samples: count,
    ceiling: (CORES * 1000) / ms,
  };
}

/**
 * Hashes per second with `CORES` hashes always in flight (libuv's thread pool runs them in parallel): what the
 * cores really deliver when every one hashes at once, memory-bandwidth contention included.
 */
export async function argon2idParallel(
  seconds: number,
): Promise<{ perSecond: number; msPerHashPerCore: number }> {
  const hasher = createArgon2idHasher({ concurrency: CORES });
  let done = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CORES }, async () => {
      while (performance.now() < deadline) {
        await hasher.hash("correct horse battery staple 42");
        done++;
      }
    }),
  );
  const perSecond = done / ((performance.now() - started) / 1000);
  return { perSecond, msPerHashPerCore: (CORES * 1000) / perSecond };
}

export function argon2idCost(count: number): Promise<HashCost> {
  const hasher = createArgon2idHasher();
  return hashCost(() => hasher.hash("correct horse battery staple 42"), count);
}

/** Better Auth's own password hash (scrypt, through its public crypto export), for the peer's ceiling. */
export async function betterAuthHashCost(count: number): Promise<HashCost> {
  const { hashPassword } = await import("better-auth/crypto");
  return hashCost(() => hashPassword("correct horse battery staple 42"), count);
}
