import { createHash, pbkdf2, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { verify as argon2Verify } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { decodeBase64, decodeImportedHash, type ImportedHash, PHPASS_ITOA64 } from "./imported-hashes.js";

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (
  password: Buffer,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** bcrypt only reads the first 72 bytes of a password. */
const BCRYPT_MAX_BYTES = 72;

/**
 * Verifies `password` against a stored imported hash (see imported-hashes.ts). The password is used exactly
 * as received, without the NFKC normalisation Gatehouse applies to its own hashes: the legacy system hashed
 * the raw bytes. Every comparison is constant-time; the slow algorithms run off the event loop (node:crypto
 * and argon2 on the thread pool, bcryptjs in yielding chunks, phpass in yielding chunks).
 * A corrupt stored value verifies nothing.
 */
export async function verifyImportedHash(stored: string, password: string): Promise<boolean> {
  const imported = decodeImportedHash(stored);
  if (!imported) return false;
  try {
    return await verify(imported, password);
  } catch {
    return false;
  }
}

async function verify(imported: ImportedHash, password: string): Promise<boolean> {
  const raw = Buffer.from(password, "utf8");
  switch (imported.type) {
    case "bcrypt":
      // bcrypt would silently ignore everything after byte 72, so a longer password is refused rather than
      // matched on its prefix (PW-3). The member's next successful login replaces the hash with argon2id.
      if (raw.length > BCRYPT_MAX_BYTES) return false;
      return bcrypt.compare(password, imported.hash);
    case "md_5":
    case "sha_1":
    case "sha_512": {
      const algorithm = imported.type === "md_5" ? "md5" : imported.type === "sha_1" ? "sha1" : "sha512";
      const digest = createHash(algorithm)
        .update(`${imported.prepend}${password}${imported.append}`, "utf8")
        .digest();
      return equal(digest, Buffer.from(imported.digest, "hex"));
    }
    case "argon_2i":
    case "argon_2id":
      return argon2Verify(imported.phc, raw);
    case "scrypt": {
      const expected = decodeBase64(imported.hash);
      const salt = decodeBase64(imported.salt);
      if (!expected || !salt) return false;
      const { n, r, p } = imported;
      // node:crypto needs about 128·r·(N + p + 2) bytes; the import bounds cap this at ~128 MiB.
      const maxmem = 128 * r * (n + p + 2) + 1024 * 1024;
      return equal(await scryptAsync(raw, salt, expected.length, { N: n, r, p, maxmem }), expected);
    }
    case "pbkdf_2": {
      const expected = decodeBase64(imported.hash);
      const salt = decodeBase64(imported.salt);
      if (!expected || !salt) return false;
      const derived = await pbkdf2Async(raw, salt, imported.iterations, expected.length, imported.algorithm);
      return equal(derived, expected);
    }
    case "phpass":
      return equal(
        Buffer.from(await phpassCrypt(raw, imported.hash), "latin1"),
        Buffer.from(imported.hash, "latin1"),
      );
    default:
      return false;
  }
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The phpass "portable" hash ($P$ / $H$, WordPress and phpBB): MD5(salt‖password), then 2^n rounds of
 * MD5(previous‖password), encoded in phpass's own base64. Yields to the event loop every 4096 rounds.
 */
async function phpassCrypt(password: Buffer, setting: string): Promise<string> {
  const rounds = 2 ** PHPASS_ITOA64.indexOf(setting.charAt(3));
  const salt = Buffer.from(setting.slice(4, 12), "latin1");
  let hash = createHash("md5").update(salt).update(password).digest();
  for (let i = 0; i < rounds; i++) {
    hash = createHash("md5").update(hash).update(password).digest();
    if (i % 4096 === 4095) await new Promise((resolve) => setImmediate(resolve));
  }
  return setting.slice(0, 12) + phpassEncode(hash);
}

function phpassEncode(input: Buffer): string {
  let output = "";
  let i = 0;
  const count = input.length;
  do {
    let value = input[i++]!;
    output += PHPASS_ITOA64[value & 0x3f];
    if (i < count) value |= input[i]! << 8;
    output += PHPASS_ITOA64[(value >> 6) & 0x3f];
    if (i++ >= count) break;
    if (i < count) value |= input[i]! << 16;
    output += PHPASS_ITOA64[(value >> 12) & 0x3f];
    if (i++ >= count) break;
    output += PHPASS_ITOA64[(value >> 18) & 0x3f];
  } while (i < count);
  return output;
}
