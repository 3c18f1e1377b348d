import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { type Environment, newId } from "../crypto/ids.js";
import { SameSecondSignatures, signingInput, VerifiedSignatures } from "../crypto/rs256.js";
import type { ServerKey } from "../crypto/server-key.js";
import type { Clock } from "../shared/clock.js";
import { JWT_LIFETIME_SECONDS } from "./session.js";

export interface SigningKeyRecord {
  readonly kid: string;
  readonly project_id: string;
  /** The private JWK as JSON, sealed with the server key: the database alone cannot sign. */
  readonly private_jwk_sealed: string;
  readonly public_jwk: JWK;
  /** When the key starts signing (a rotated-in key is published before it signs: JWT-12). */
  readonly created_at: number;
  /** When it stops signing; it leaves the JWKS one JWT lifetime later. */
  readonly retired_at: number | null;
}

export interface SigningKeysStore {
  insertKey(key: SigningKeyRecord): Promise<void>;
  /**
   * Every key of the project, newest first. A retired key no longer signs and leaves the JWKS one JWT lifetime
   * after retirement, but sessions/authenticate still accepts its (expired) JWTs for live sessions, so apps
   * that keep only the JWT stay logged in across a rotation. A compromised key is deleted, not retired.
   */
  listKeys(projectId: string): Promise<SigningKeyRecord[]>;
  /** Sets retired_at = `at` on every key of the project but `exceptKid` that is not retired by then. */
  retireKeys(projectId: string, at: number, exceptKid: string): Promise<number>;
}

/** A key signs from its created_at until its retired_at. */
function signsAt(record: SigningKeyRecord, now: number): boolean {
  return record.created_at <= now && (record.retired_at === null || record.retired_at > now);
}

/** How long a node trusts its in-memory copy of a project's keys before reading the table again. */
const CACHE_TTL_MS = 30_000;
const REFRESH_COOLDOWN_MS = 2_000;

/**
 * Per-project RS256 signing keys. The database is the source of truth (so every node signs and publishes the
 * same keys); this holds parsed keys for CACHE_TTL_MS to keep signing and JWKS off the database's hot path.
 * After a rotation other nodes pick up the new key within that TTL; the old key keeps verifying meanwhile.
 */
export class SigningKeys {
  private readonly cache = new Map<string, { at: number; keys: ParsedKey[] }>();
  private readonly signatures = new SameSecondSignatures();
  private readonly verified = new VerifiedSignatures();

  /**
   * `offloadSigning`, asked at each signature: when true, the RSA work runs on libuv's thread pool so that a
   * second core signs while the event loop answers other requests (a check of a session not seen this second
   * costs ≈0.25 ms of RSA, most of its CPU). The composition root answers "when no password hash is in
   * flight": the pool's threads run at a lower priority while hashing (pool-priority.ts), and a signature
   * there would wait for the CPU behind the hashes under a login burst; then it is signed in line.
   */
  constructor(
    private readonly store: SigningKeysStore,
    private readonly clock: Clock,
    private readonly serverKey: ServerKey,
    private readonly offloadSigning: () => boolean = () => false,
  ) {}

  /** Creates a project's key; it signs from `activatesAt` (default now) on. */
  async createKey(
    projectId: string,
    environment: Environment,
    activatesAt = this.clock.now(),
  ): Promise<SigningKeyRecord> {
    const { privateKey, publicKey } = await generateKeyPair("RS256", {
      modulusLength: 2048,
      extractable: true,
    });
    const kid = newId("jwk", environment);
    const record: SigningKeyRecord = {
      kid,
      project_id: projectId,
      private_jwk_sealed: this.serverKey.seal(
        JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: "RS256" }),
      ),
      public_jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" },
      created_at: activatesAt,
      retired_at: null,
    };
    await this.store.insertKey(record);
    this.cache.delete(projectId);
    return record;
  }

  /**
   * Key rotation: a new key is published in the JWKS at once and starts signing after `graceMs`, when the
   * current keys retire. The grace lets every node's cache (30 s) and verifiers' JWKS caches pick up the new
   * key before any JWT carries its kid; the retired key stays in the JWKS one JWT lifetime longer, until every
   * JWT it signed has expired. Inserting before retiring means a crash in between leaves a signing key.
   */
  async rotate(projectId: string, environment: Environment, graceMs: number): Promise<SigningKeyRecord> {
    const activatesAt = this.clock.now() + graceMs;
    const record = await this.createKey(projectId, environment, activatesAt);
    await this.store.retireKeys(projectId, activatesAt, record.kid);
    this.cache.delete(projectId);
    return record;
  }

  /** The project's keys with their state at `now`, for `gatehouse keys list`. */
  async list(
    projectId: string,
  ): Promise<
    { kid: string; state: "pending" | "signing" | "retired"; created_at: number; retired_at: number | null }[]
  > {
    const now = this.clock.now();
    return (await this.store.listKeys(projectId)).map((r) => ({
      kid: r.kid,
      state:
        r.retired_at !== null && r.retired_at <= now ? "retired" : r.created_at > now ? "pending" : "signing",
      created_at: r.created_at,
      retired_at: r.retired_at,
    }));
  }

  /** The key that signs new JWTs: the newest one whose signing window contains now. */
  async signingKey(projectId: string): Promise<{ kid: string; key: KeyObject }> {
    const now = this.clock.now();
    let active = (await this.load(projectId)).find((k) => signsAt(k.record, now));
    // Another node may have created the project or rotated its key since this node cached the set.
    active ??= (await this.load(projectId, true)).find((k) => signsAt(k.record, now));
    if (!active) throw new Error(`project ${projectId} has no active signing key`);
    return { kid: active.record.kid, key: active.privateKey() };
  }

  /**
   * Signs `payload` as a compact RS256 JWT (header `{alg, typ: "JWT", kid}`) with the project's signing key.
   * `iat` must be the payload's issued-at second: repeats of the same payload within it are answered from
   * memory (SameSecondSignatures: the same bytes a fresh signature gives).
   */
  async signJwt(projectId: string, payload: Record<string, unknown>, iat: number): Promise<string> {
    const { kid, key } = await this.signingKey(projectId);
    const input = signingInput({ alg: "RS256", typ: "JWT", kid }, payload);
    return this.signatures.sign(input, key, iat, this.offloadSigning());
  }

  /**
   * Whether `jws` carries a valid RS256 signature by the project's key `kid` (retired keys included); null
   * when the project has no such key. The caller pins the header (alg, typ, kid) before asking.
   */
  async verifyJws(projectId: string, kid: string, jws: string): Promise<boolean | null> {
    const key = await this.verificationKey(projectId, kid);
    return key ? this.verified.verify(jws, key) : null;
  }

  /** The public key with this kid, if the project has it (retired keys included: see SigningKeysStore). */
  async verificationKey(projectId: string, kid: string): Promise<KeyObject | null> {
    let key = (await this.load(projectId)).find((k) => k.record.kid === kid);
    key ??= (await this.load(projectId, true)).find((k) => k.record.kid === kid);
    return key ? key.publicKey() : null;
  }

  /** The JWKS entries (§4.8): keys that sign or will sign, and keys retired less than a JWT lifetime ago. */
  async jwks(projectId: string): Promise<JWK[]> {
    const now = this.clock.now();
    return (await this.load(projectId))
      .filter((k) => k.record.retired_at === null || k.record.retired_at + JWT_LIFETIME_SECONDS * 1000 > now)
      .map((k) => ({
        kty: "RSA",
        use: "sig",
        key_ops: ["verify"],
        alg: "RS256",
        kid: k.record.kid,
        x5c: [],
        x5tS256: "",
        n: k.record.public_jwk.n,
        e: k.record.public_jwk.e,
      }));
  }

  /**
   * `refresh` re-reads the table on a cache miss (unknown kid, no active key), at most once per
   * REFRESH_COOLDOWN_MS per project, so a flood of JWTs with random kids cannot turn into a flood of queries.
   */
  private async load(projectId: string, refresh = false): Promise<ParsedKey[]> {
    const now = this.clock.now();
    const hit = this.cache.get(projectId);
    if (hit && now - hit.at < (refresh ? REFRESH_COOLDOWN_MS : CACHE_TTL_MS)) return hit.keys;
    const keys = (await this.store.listKeys(projectId)).map((r) => parseKey(r, this.serverKey));
    this.cache.set(projectId, { at: now, keys });
    return keys;
  }
}

interface ParsedKey {
  record: SigningKeyRecord;
  privateKey(): KeyObject;
  publicKey(): KeyObject;
}

/** Keys are opened and parsed on first use only: a node that never signs for a project never unseals its key. */
function parseKey(record: SigningKeyRecord, serverKey: ServerKey): ParsedKey {
  let priv: KeyObject | undefined;
  let pub: KeyObject | undefined;
  return {
    record,
    privateKey: () => {
      priv ??= createPrivateKey({
        key: JSON.parse(serverKey.open(record.private_jwk_sealed)) as JsonWebKey,
        format: "jwk",
      });
      return priv;
    },
    publicKey: () => {
      pub ??= createPublicKey({ key: record.public_jwk as JsonWebKey, format: "jwk" });
      return pub;
    },
  };
}
