import { AuthError } from "../errors/auth-error.js";

/**
 * Password hashes imported by `passwords/migrate` (docs/stytch-b2b-api.md §5.4). Each is validated once, at
 * import, and stored in `password_hash` as a self-describing string:
 *
 *   $gatehouse-import$<hash_type>$<base64url of the JSON parameters>
 *
 * so the verifier (imported-verify.ts) needs nothing but the stored string. Cost parameters are bounded here,
 * so an imported hash can never make one login verification arbitrarily expensive (ST-3, ATK-49; the bounds
 * are Kratos's hash_limits.go). Hashes whose key is shorter than 128 bits are refused too: a 1-byte scrypt
 * key would accept one random password in 256.
 */
export const IMPORTED_PREFIX = "$gatehouse-import$";

export const HASH_BOUNDS = Object.freeze({
  bcryptMaxCost: 15,
  scryptMaxN: 2 ** 17,
  scryptMaxR: 8,
  scryptMaxP: 10,
  argon2MaxMemoryKiB: 1024 * 1024,
  argon2MaxTime: 10,
  argon2MaxParallelism: 16,
  pbkdf2MaxIterations: 10_000_000,
  /** phpass runs MD5 2^n times on the event loop (in yielding chunks); WordPress uses 2^13. */
  phpassMaxLog2: 16,
  minKeyBytes: 16,
  maxKeyBytes: 512,
  maxSaltChars: 512,
});

export type DigestType = "md_5" | "sha_1" | "sha_512";
export type Pbkdf2Digest = "sha1" | "sha256" | "sha512";

export type ImportedHash =
  | { type: "bcrypt"; hash: string }
  | { type: DigestType; digest: string; prepend: string; append: string }
  | { type: "argon_2i" | "argon_2id"; phc: string }
  | { type: "scrypt"; hash: string; salt: string; n: number; r: number; p: number }
  | { type: "pbkdf_2"; hash: string; salt: string; iterations: number; algorithm: Pbkdf2Digest }
  | { type: "phpass"; hash: string };

interface SaltConfig {
  prepend_salt?: string;
  append_salt?: string;
}

/** The hash fields of a migrate request, as the SDK sends them. */
export interface MigrateHashInput {
  hash: string;
  hash_type: string;
  md_5_config?: SaltConfig;
  sha_1_config?: SaltConfig;
  sha_512_config?: SaltConfig;
  argon_2_config?: Record<string, unknown>;
  scrypt_config?: {
    salt?: string;
    n_parameter?: number;
    r_parameter?: number;
    p_parameter?: number;
    key_length?: number;
  };
  pbkdf_2_config?: { salt?: string; iteration_amount?: number; key_length?: number; algorithm?: string };
}

const HEX_LENGTH: Record<DigestType, number> = { md_5: 32, sha_1: 40, sha_512: 128 };

function invalidHash(message: string): AuthError {
  return new AuthError("invalid_hash", { message });
}

function invalidConfig(message: string): AuthError {
  return new AuthError("invalid_hash_config", { message });
}

/** Standard or URL-safe base64, padded or not; returns the decoded bytes or null. */
export function decodeBase64(value: string): Buffer | null {
  if (value.length === 0 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return null;
  const bytes = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return bytes.length > 0 ? bytes : null;
}

function intIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function keyBytes(hash: string, what: string, keyLength: unknown): Buffer {
  const bytes = decodeBase64(hash);
  if (!bytes) throw invalidHash(`The ${what} hash must be base64.`);
  if (!intIn(keyLength, HASH_BOUNDS.minKeyBytes, HASH_BOUNDS.maxKeyBytes)) {
    throw invalidConfig(
      `key_length must be an integer from ${HASH_BOUNDS.minKeyBytes} to ${HASH_BOUNDS.maxKeyBytes}.`,
    );
  }
  if (bytes.length !== keyLength) throw invalidHash(`The ${what} hash is not key_length bytes long.`);
  return bytes;
}

function salt(value: unknown, what: string): string {
  if (typeof value !== "string" || !decodeBase64(value) || value.length > HASH_BOUNDS.maxSaltChars) {
    throw invalidConfig(
      `${what}.salt must be a base64 string of at most ${HASH_BOUNDS.maxSaltChars} characters.`,
    );
  }
  return value;
}

function digestConfig(config: SaltConfig | undefined): { prepend: string; append: string } {
  const prepend = config?.prepend_salt ?? "";
  const append = config?.append_salt ?? "";
  if (prepend.length > HASH_BOUNDS.maxSaltChars || append.length > HASH_BOUNDS.maxSaltChars) {
    throw invalidConfig(`Salts may be at most ${HASH_BOUNDS.maxSaltChars} characters.`);
  }
  return { prepend, append };
}

const ARGON2_PHC =
  /^\$(argon2id?)\$(?:v=(16|19)\$)?m=(\d{1,8}),t=(\d{1,4}),p=(\d{1,4})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parseArgon2(type: "argon_2i" | "argon_2id", phc: string): ImportedHash {
  const match = ARGON2_PHC.exec(phc);
  if (!match) throw invalidHash("argon2 hashes must be given in the encoded (PHC) form: $argon2id$v=19$m=…");
  const [, variant, , m, t, p, saltPart, hashPart] = match;
  if ((variant === "argon2id") !== (type === "argon_2id")) {
    throw invalidHash(`The hash is ${variant}, not ${type === "argon_2id" ? "argon2id" : "argon2i"}.`);
  }
  const memory = Number(m);
  const time = Number(t);
  const parallelism = Number(p);
  if (
    !intIn(parallelism, 1, HASH_BOUNDS.argon2MaxParallelism) ||
    !intIn(time, 1, HASH_BOUNDS.argon2MaxTime) ||
    !intIn(memory, 8 * parallelism, HASH_BOUNDS.argon2MaxMemoryKiB)
  ) {
    throw invalidConfig(
      `argon2 parameters must be within m ≤ ${HASH_BOUNDS.argon2MaxMemoryKiB} KiB, t ≤ ${HASH_BOUNDS.argon2MaxTime}, p ≤ ${HASH_BOUNDS.argon2MaxParallelism}.`,
    );
  }
  const saltBytes = decodeBase64(saltPart ?? "")?.length ?? 0;
  const hashBytes = decodeBase64(hashPart ?? "")?.length ?? 0;
  if (saltBytes < 8 || hashBytes < HASH_BOUNDS.minKeyBytes || hashBytes > HASH_BOUNDS.maxKeyBytes) {
    throw invalidHash("The argon2 salt must be at least 8 bytes and the hash at least 16 bytes.");
  }
  return { type, phc };
}

const BCRYPT = /^\$2[aby]?\$(\d{2})\$[./A-Za-z0-9]{53}$/;
const PHPASS = /^\$[PH]\$[./0-9A-Za-z]{31}$/;
export const PHPASS_ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Validates a migrate request's hash and configuration; throws invalid_hash / invalid_hash_config. */
export function parseImportedHash(input: MigrateHashInput): ImportedHash {
  const hash = input.hash.trim();
  switch (input.hash_type) {
    case "bcrypt": {
      const match = BCRYPT.exec(hash);
      if (!match) throw invalidHash("A bcrypt hash looks like $2b$12$ followed by 53 characters.");
      const cost = Number(match[1]);
      if (!intIn(cost, 4, HASH_BOUNDS.bcryptMaxCost)) {
        throw invalidConfig(`The bcrypt cost must be from 4 to ${HASH_BOUNDS.bcryptMaxCost}.`);
      }
      return { type: "bcrypt", hash };
    }
    case "md_5":
    case "sha_1":
    case "sha_512": {
      const type = input.hash_type;
      if (!new RegExp(`^[0-9a-fA-F]{${HEX_LENGTH[type]}}$`).test(hash)) {
        throw invalidHash(`A ${type} hash is ${HEX_LENGTH[type]} hexadecimal characters.`);
      }
      const config =
        type === "md_5" ? input.md_5_config : type === "sha_1" ? input.sha_1_config : input.sha_512_config;
      return { type, digest: hash.toLowerCase(), ...digestConfig(config) };
    }
    case "argon_2i":
    case "argon_2id":
      return parseArgon2(input.hash_type, hash);
    case "scrypt": {
      const c = input.scrypt_config;
      if (!c) throw invalidConfig("scrypt_config is required for scrypt hashes.");
      const n = c.n_parameter;
      if (!intIn(n, 2, HASH_BOUNDS.scryptMaxN) || (n & (n - 1)) !== 0) {
        throw invalidConfig(`n_parameter must be a power of two from 2 to ${HASH_BOUNDS.scryptMaxN}.`);
      }
      if (
        !intIn(c.r_parameter, 1, HASH_BOUNDS.scryptMaxR) ||
        !intIn(c.p_parameter, 1, HASH_BOUNDS.scryptMaxP)
      ) {
        throw invalidConfig(
          `r_parameter must be 1…${HASH_BOUNDS.scryptMaxR} and p_parameter 1…${HASH_BOUNDS.scryptMaxP}.`,
        );
      }
      keyBytes(hash, "scrypt", c.key_length);
      return {
        type: "scrypt",
        hash,
        salt: salt(c.salt, "scrypt_config"),
        n,
        r: c.r_parameter,
        p: c.p_parameter,
      };
    }
    case "pbkdf_2": {
      const c = input.pbkdf_2_config;
      if (!c) throw invalidConfig("pbkdf_2_config is required for pbkdf_2 hashes.");
      const algorithm =
        c.algorithm === undefined || c.algorithm === "" ? "sha256" : c.algorithm.toLowerCase();
      if (algorithm !== "sha256" && algorithm !== "sha512" && algorithm !== "sha1") {
        throw invalidConfig('pbkdf_2_config.algorithm must be "sha256" (the default), "sha512" or "sha1".');
      }
      if (!intIn(c.iteration_amount, 1, HASH_BOUNDS.pbkdf2MaxIterations)) {
        throw invalidConfig(`iteration_amount must be from 1 to ${HASH_BOUNDS.pbkdf2MaxIterations}.`);
      }
      keyBytes(hash, "pbkdf_2", c.key_length);
      return {
        type: "pbkdf_2",
        hash,
        salt: salt(c.salt, "pbkdf_2_config"),
        iterations: c.iteration_amount,
        algorithm,
      };
    }
    case "phpass": {
      if (!PHPASS.test(hash)) throw invalidHash("A phpass hash looks like $P$ followed by 31 characters.");
      const log2 = PHPASS_ITOA64.indexOf(hash.charAt(3));
      if (log2 < 7 || log2 > HASH_BOUNDS.phpassMaxLog2) {
        throw invalidConfig(`The phpass iteration count must be from 2^7 to 2^${HASH_BOUNDS.phpassMaxLog2}.`);
      }
      return { type: "phpass", hash };
    }
    default:
      throw invalidHash(
        "hash_type must be one of bcrypt, md_5, sha_1, sha_512, argon_2i, argon_2id, scrypt, pbkdf_2, phpass.",
      );
  }
}

/** The string stored in password_hash for an imported hash. */
export function encodeImportedHash(imported: ImportedHash): string {
  const { type, ...params } = imported;
  return `${IMPORTED_PREFIX}${type}$${Buffer.from(JSON.stringify(params), "utf8").toString("base64url")}`;
}

export function isImportedHash(stored: string): boolean {
  return stored.startsWith(IMPORTED_PREFIX);
}

/** The imported hash a stored string describes, or null if it is not one (or is corrupt). */
export function decodeImportedHash(stored: string): ImportedHash | null {
  if (!isImportedHash(stored)) return null;
  const rest = stored.slice(IMPORTED_PREFIX.length);
  const dollar = rest.indexOf("$");
  if (dollar <= 0) return null;
  try {
    const params = JSON.parse(Buffer.from(rest.slice(dollar + 1), "base64url").toString("utf8")) as object;
    return { type: rest.slice(0, dollar), ...params } as ImportedHash;
  } catch {
    return null;
  }
}
