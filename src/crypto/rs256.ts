import { type KeyObject, sign, verify } from "node:crypto";

/**
 * RS256 compact JWS (RFC 7515) on node:crypto, in line or on libuv's thread pool, as the caller chooses.
 *
 * Why not jose here: jose signs with WebCrypto, which runs every signature as a job on libuv's thread pool.
 * That pool also runs the argon2id hashes, so under a burst of logins each session check waited behind 20–40 ms
 * hashes for its 0.2 ms signature (bench/results/…-optimisations.md). SigningKeys signs in line while hashes
 * run and on the pool while none does. jose still verifies JWTs in tests and in the SDK; the bytes are the same.
 */

const encoder = new TextEncoder();

export function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

/** `base64url(header).base64url(payload)`: the bytes an RS256 signature covers. */
export function signingInput(header: object, payload: object): string {
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
}

/** Signs a signing input with RSASSA-PKCS1-v1_5 / SHA-256 and returns the compact JWS. */
export function signRs256(input: string, key: KeyObject): string {
  return `${input}.${sign("sha256", encoder.encode(input), key).toString("base64url")}`;
}

/**
 * The same signature computed on libuv's thread pool, leaving the event loop free: a second core signs while
 * the loop answers other requests. Only while the pool is not hashing passwords (see SigningKeys): there a
 * signature would share the hash threads' lower priority and their cores.
 */
export function signRs256OffThread(input: string, key: KeyObject): Promise<string> {
  return new Promise((resolve, reject) => {
    sign("sha256", encoder.encode(input), key, (error, signature) => {
      if (error) reject(error);
      else resolve(`${input}.${signature.toString("base64url")}`);
    });
  });
}

/**
 * Checks a compact JWS's RS256 signature with `key`. The caller has already pinned the header's alg, typ and
 * kid and bounded the token's length; this only answers whether the signature is the key's over the first two
 * parts. A 2048-bit key's signature is exactly 256 bytes; anything else is refused before RSA runs.
 */
export function verifyRs256(jws: string, key: KeyObject): boolean {
  const cut = jws.lastIndexOf(".");
  if (cut < 0) return false;
  const signature = Buffer.from(jws.slice(cut + 1), "base64url");
  const modulusBytes = ((key.asymmetricKeyDetails?.modulusLength ?? 2048) + 7) >> 3;
  if (signature.length !== modulusBytes) return false;
  return verify("sha256", encoder.encode(jws.slice(0, cut)), key, signature);
}

/** How many distinct JWTs one key remembers within one second; past that, signing simply runs. */
const MAX_REMEMBERED_PER_SECOND = 4096;

/**
 * Remembers the JWTs a key signed during the current second, by signing input.
 *
 * RSASSA-PKCS1-v1_5 is deterministic: the same key over the same bytes always gives the same signature. A
 * session JWT's payload carries iat/nbf/exp and last_accessed_at in whole seconds, so every sessions/authenticate
 * of one session within one second asks for exactly the same bytes (an app's page load typically checks the
 * same session from several API calls at once). Answering those from memory returns the very string a fresh
 * signature would produce: nothing observable changes, only the 0.2 ms of RSA per repeat is saved. Entries are
 * dropped when the second (the payload's iat) moves on, since no later payload can equal them.
 */
export class SameSecondSignatures {
  private readonly byKey = new WeakMap<KeyObject, { second: number; jws: Map<string, Promise<string>> }>();

  /**
   * `offThread` signs on the thread pool (signRs256OffThread) instead of on the calling thread. Concurrent asks
   * for the same input share one signature.
   */
  sign(input: string, key: KeyObject, second: number, offThread = false): Promise<string> {
    let memo = this.byKey.get(key);
    if (!memo || memo.second !== second) {
      memo = { second, jws: new Map() };
      this.byKey.set(key, memo);
    }
    const known = memo.jws.get(input);
    if (known !== undefined) return known;
    const jws = offThread ? signRs256OffThread(input, key) : Promise.resolve(signRs256(input, key));
    if (memo.jws.size < MAX_REMEMBERED_PER_SECOND) {
      const entries = memo.jws;
      entries.set(input, jws);
      // A failed signature is not remembered.
      jws.catch(() => entries.delete(input));
    }
    return jws;
  }
}

/** How many verified JWTs one key remembers; when full, the memory starts over. */
const MAX_REMEMBERED_VERIFIED = 4096;

/**
 * Remembers the exact JWS strings a key has verified. A signature that verified once verifies forever under
 * the same key, so a JWT presented again (apps send the JWT they were last given on every request) skips the
 * RSA check. Only strings that passed verifyRs256 enter, and the memory belongs to the key object: when a key
 * is reloaded, retired from the set or deleted, its KeyObject and everything it remembered go with it.
 */
export class VerifiedSignatures {
  private readonly byKey = new WeakMap<KeyObject, Set<string>>();

  verify(jws: string, key: KeyObject): boolean {
    const known = this.byKey.get(key);
    if (known?.has(jws)) return true;
    if (!verifyRs256(jws, key)) return false;
    const memo = known ?? new Set<string>();
    if (!known) this.byKey.set(key, memo);
    if (memo.size >= MAX_REMEMBERED_VERIFIED) memo.clear();
    memo.add(jws);
    return true;
  }
}
