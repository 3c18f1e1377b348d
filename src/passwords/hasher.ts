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

/**
 * New hashes are argon2id. Imported legacy hashes verify with their own algorithm over the raw password, and
 * always need a rehash, so a member's first successful login moves them to argon2id.
 */
export function createArgon2idHasher(): PasswordHasher {
  const prefix = `$argon2id$v=19$m=${ARGON2ID_PARAMS.memoryCost},t=${ARGON2ID_PARAMS.timeCost},p=${ARGON2ID_PARAMS.parallelism}$`;
  return {
    hash: (password) => hash(normalizePassword(password), { algorithm: ARGON2ID, ...ARGON2ID_PARAMS }),
    async verify(stored, password) {
      if (isImportedHash(stored)) return verifyImportedHash(stored, password);
      try {
        return await verify(stored, normalizePassword(password));
      } catch {
        return false;
      }
    },
    // Imported hashes do not start with the prefix either, so they are always rehashed.
    needsRehash: (stored) => !stored.startsWith(prefix),
  };
}
