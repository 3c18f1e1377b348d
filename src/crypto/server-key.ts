import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The server key: 32 secret bytes that never enter the database. It derives session tokens (so the database
 * holds only their digests, yet a session authenticated by JWT can still be answered with its token) and seals
 * JWT private keys at rest. Every node of a deployment must share it (GATEHOUSE_SECRET_KEY).
 */
export class ServerKey {
  private constructor(private readonly key: Buffer) {}

  static fromBytes(key: Buffer): ServerKey {
    if (key.length !== 32) throw new Error("the server key must be 32 bytes");
    return new ServerKey(Buffer.from(key));
  }

  /** Parses GATEHOUSE_SECRET_KEY: 64 hex characters or 43-44 base64/base64url characters. */
  static parse(text: string): ServerKey {
    const t = text.trim();
    // Node's base64 decoder skips characters it does not know, so the alphabet is checked first.
    const bytes = /^[0-9a-fA-F]{64}$/.test(t)
      ? Buffer.from(t, "hex")
      : /^[A-Za-z0-9_-]{43}=?$/.test(t)
        ? Buffer.from(t, "base64url")
        : Buffer.alloc(0);
    if (bytes.length !== 32) throw new Error("must be 32 bytes as 64 hex or 43 base64url characters");
    return new ServerKey(bytes);
  }

  static random(): ServerKey {
    return new ServerKey(randomBytes(32));
  }

  /**
   * For a single-node SQLite install without GATEHOUSE_SECRET_KEY: a key file beside the database, created on
   * first start with mode 0600. Losing it only logs everyone out and needs new signing keys.
   */
  static fromFileBesideDatabase(databasePath: string): ServerKey {
    const file = join(dirname(databasePath), "gatehouse.key");
    if (existsSync(file)) return ServerKey.parse(readFileSync(file, "utf8"));
    mkdirSync(dirname(file), { recursive: true });
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
    return new ServerKey(key);
  }

  /** The key as base64url, for GATEHOUSE_SECRET_KEY. */
  export(): string {
    return this.key.toString("base64url");
  }

  /** HMAC-SHA384 over `label` and `parts`, truncated to `bytes`. Labels keep the uses apart. */
  derive(label: string, parts: string[], bytes: number): Buffer {
    const mac = createHmac("sha384", this.key).update(label);
    for (const part of parts) mac.update("\0").update(part);
    return mac.digest().subarray(0, bytes);
  }

  /** AES-256-GCM with a random 96-bit nonce: `v1.<iv>.<tag>.<ciphertext>` in base64url. */
  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return ["v1", iv, cipher.getAuthTag(), ct]
      .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
      .join(".");
  }

  open(sealed: string): string {
    const [version, iv, tag, ct] = sealed.split(".");
    if (version !== "v1" || !iv || !tag || ct === undefined)
      throw new Error("sealed value has an unknown format");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  }
}
