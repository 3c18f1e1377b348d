import { availableParallelism } from "node:os";
import { type Algorithm, hash, verify } from "@node-rs/argon2";
import { isImportedHash } from "./imported-hashes.js";
import { verifyImportedHash } from "./imported-verify.js";

// @node-rs/argon2 declares Algorithm as an ambient const enum, which isolated modules cannot read: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

/**
 * Hashes and verifies member passwords. Hashes are PHC strings that carry their own parameters, or hashes
 * imported by passwords/migrate (`$gatehouse-import$…`), which are verified with their own algorithm.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when a stored hash uses weaker parameters than today's, so it should be replaced at next login. */
  needsRehash(hash: string): boolean;
  /** How many argon2 computations run or wait right now (other work may use the thread pool when none). */
  inFlight(): number;
}

/**
 * argon2id at OWASP's headline parameters: m=19456 KiB (19 MiB), t=2, p=1 (Password Storage Cheat Sheet; ASVS
 * 5.0 App. C). Each hash runs on libuv's thread pool, off the event loop.
 */
export const ARGON2ID_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** NFKC, so the same password typed precomposed or decomposed verifies the same (NIST 800-63B; no case folding). */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

/** libuv's default thread-pool size (config/load.ts reads UV_THREADPOOL_SIZE, as libuv itself does). */
export const LIBUV_DEFAULT_POOL_SIZE = 4;

/**
 * How many argon2 computations may run at once: one per core, and always fewer than libuv's thread pool has
 * threads. Each hash occupies a pool thread for its whole duration, and the pool, first come first served, also
 * serves file-system work, DNS look-ups and session JWT signatures: one thread stays free for them (JWTs are
 * signed there only while no hash is in flight, see inFlight and SigningKeys; they used to wait behind whole
 * hashes). With more hashes than cores, hashes only slice each other's time. The pool's threads also run at a
 * lower priority than the event loop (pool-priority.ts).
 */
export function defaultHashConcurrency(
  cores = availableParallelism(),
  poolSize: number = LIBUV_DEFAULT_POOL_SIZE,
): number {
  return Math.max(1, Math.min(cores, poolSize - 1));
}

/** Runs at most `max` tasks at once; the others wait their turn in arrival order. */
function concurrencyLimit(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  const run = async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < max) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, if any.
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
  return Object.assign(run, { pending: () => active + waiting.length });
}

/**
 * New hashes are argon2id. Imported legacy hashes verify with their own algorithm over the raw password, and
 * always need a rehash, so a member's first successful login moves them to argon2id. At most `concurrency`
 * argon2 computations run at once (defaultHashConcurrency); the result of each is unchanged.
 */
export function createArgon2idHasher(options: { concurrency?: number } = {}): PasswordHasher {
  const prefix = `$argon2id$v=19$m=${ARGON2ID_PARAMS.memoryCost},t=${ARGON2ID_PARAMS.timeCost},p=${ARGON2ID_PARAMS.parallelism}$`;
  const limit = concurrencyLimit(options.concurrency ?? defaultHashConcurrency());
  return {
    hash: (password) =>
      limit(() => hash(normalizePassword(password), { algorithm: ARGON2ID, ...ARGON2ID_PARAMS })),
    async verify(stored, password) {
      if (isImportedHash(stored)) return verifyImportedHash(stored, password);
      try {
        return await limit(() => verify(stored, normalizePassword(password)));
      } catch {
        return false;
      }
    },
    // Imported hashes do not start with the prefix either, so they are always rehashed.
    needsRehash: (stored) => !stored.startsWith(prefix),
    inFlight: () => limit.pending(),
  };
}
