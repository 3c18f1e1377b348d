/**
 * Configuration is read from the environment once, validated, frozen and passed down. Nothing else in the
 * code base reads process.env. An invalid value fails start-up with a message that names the variable.
 */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseConfig;
  /** SMTP URL (smtp:// or smtps://); when null, email goes to the dev outbox in the database. */
  readonly smtpUrl: string | null;
  readonly emailFrom: string;
  /** The server's own external base URL, without a trailing slash (used in logs and the hosted pages). */
  readonly publicUrl: string;
  /** Serve GET /dev/outbox. Defaults to on only when no SMTP is configured. */
  readonly devOutbox: boolean;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Trust X-Forwarded-For from a proxy in front (for per-IP limits). Off by default: the header is ignored. */
  readonly trustProxy: boolean;
  /**
   * GATEHOUSE_SECRET_KEY (32 bytes, hex or base64url): derives session tokens and seals JWT private keys.
   * Required with PostgreSQL (every node must share it); on SQLite a key file beside the database is used.
   */
  readonly secretKey: string | null;
  /**
   * Create and print a first test project when the database has none (GATEHOUSE_BOOTSTRAP_PROJECT, default on).
   * Multi-node deployments turn it off and create projects with the CLI.
   */
  readonly bootstrapProject: boolean;
  /** libuv's thread-pool size (UV_THREADPOOL_SIZE, read by libuv too; default 4): bounds concurrent hashes. */
  readonly threadPoolSize: number;
  /**
   * The nice value given to the thread pool's threads, where password hashes run (GATEHOUSE_HASH_THREAD_NICE,
   * 0–19, default 10; 0 leaves them alone): session checks on the event loop then go first under a login burst.
   */
  readonly hashThreadNice: number;
  /**
   * Serve a plain sessions/authenticate again with the answer made for the same credential in the same second,
   * until any write could have changed it (GATEHOUSE_SESSION_ANSWER_CACHE, default on; SessionAnswerCache).
   */
  readonly sessionAnswerCache: boolean;
}

export type DatabaseConfig =
  | { readonly kind: "sqlite"; readonly path: string }
  | {
      readonly kind: "postgres";
      readonly url: string;
      readonly poolSize: number;
      readonly statementTimeoutMs: number;
      /** Send the hot-path queries as named prepared statements (off behind PgBouncer < 1.21 in transaction mode). */
      readonly namedStatements: boolean;
    };

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, "PORT", 4000, 0, 65535);
  const host = nonEmpty(env, "HOST", "127.0.0.1");
  const smtpUrl = optionalUrl(env, "GATEHOUSE_SMTP_URL", ["smtp:", "smtps:"]);
  const publicUrl = (
    optionalUrl(env, "GATEHOUSE_PUBLIC_URL", ["http:", "https:"]) ?? `http://${displayHost(host)}:${port}`
  ).replace(/\/+$/, "");
  const config: Config = {
    port,
    host,
    database: parseDatabaseUrl(env),
    smtpUrl,
    emailFrom: nonEmpty(env, "GATEHOUSE_EMAIL_FROM", "Gatehouse <no-reply@gatehouse.local>"),
    publicUrl,
    devOutbox: boolean(env, "GATEHOUSE_DEV_OUTBOX", smtpUrl === null),
    logLevel: oneOf(env, "LOG_LEVEL", ["fatal", "error", "warn", "info", "debug", "trace", "silent"], "info"),
    trustProxy: boolean(env, "GATEHOUSE_TRUST_PROXY", false),
    secretKey: secretKey(env),
    bootstrapProject: boolean(env, "GATEHOUSE_BOOTSTRAP_PROJECT", true),
    threadPoolSize: integer(env, "UV_THREADPOOL_SIZE", 4, 1, 1024),
    hashThreadNice: integer(env, "GATEHOUSE_HASH_THREAD_NICE", 10, 0, 19),
    sessionAnswerCache: boolean(env, "GATEHOUSE_SESSION_ANSWER_CACHE", true),
  };
  if (config.database.kind === "postgres" && config.secretKey === null) {
    throw new ConfigError(
      "GATEHOUSE_SECRET_KEY",
      "is required with PostgreSQL so that every node shares it (generate one with: openssl rand -hex 32)",
    );
  }
  return Object.freeze(config);
}

export function parseDatabaseUrl(env: Env): DatabaseConfig {
  const name = "GATEHOUSE_DATABASE_URL";
  const raw = env[name]?.trim() || "sqlite:./data/gatehouse.db";
  if (raw.startsWith("sqlite:")) {
    const path = raw.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "")
      throw new ConfigError(
        name,
        "sqlite: needs a file path, e.g. sqlite:./data/gatehouse.db or sqlite::memory:",
      );
    return Object.freeze({ kind: "sqlite", path });
  }
  if (raw.startsWith("postgres://") || raw.startsWith("postgresql://")) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError(name, "is not a valid postgres:// URL");
    }
    return Object.freeze({
      kind: "postgres",
      url: raw,
      poolSize: integer(env, "GATEHOUSE_DATABASE_POOL_SIZE", 10, 1, 1000),
      statementTimeoutMs: integer(env, "GATEHOUSE_DATABASE_STATEMENT_TIMEOUT_MS", 5000, 0, 600000),
      namedStatements: boolean(env, "GATEHOUSE_DATABASE_NAMED_STATEMENTS", true),
    });
  }
  throw new ConfigError(name, `must start with sqlite: or postgres:// (got "${raw.slice(0, 40)}")`);
}

function secretKey(env: Env): string | null {
  const name = "GATEHOUSE_SECRET_KEY";
  const value = env[name]?.trim();
  if (value === undefined || value === "") return null;
  const bytes = /^[0-9a-fA-F]{64}$/.test(value) ? 32 : Buffer.from(value, "base64url").length;
  if (bytes !== 32 || !/^[A-Za-z0-9_\-+/=]+$/.test(value)) {
    throw new ConfigError(
      name,
      "must be 32 bytes, as 64 hex characters or 43 base64url characters (openssl rand -hex 32)",
    );
  }
  return value;
}

function displayHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}

function nonEmpty(env: Env, name: string, fallback: string): string {
  const value = env[name];
  if (value === undefined) return fallback;
  if (value.trim() === "") throw new ConfigError(name, "must not be empty");
  return value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  if (!/^\d+$/.test(value.trim())) throw new ConfigError(name, `must be an integer (got "${value}")`);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max} (got ${n})`);
  return n;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === "") return fallback;
  if (["1", "true", "on", "yes"].includes(value)) return true;
  if (["0", "false", "off", "no"].includes(value)) return false;
  throw new ConfigError(name, `must be true or false (got "${env[name]}")`);
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  if (!(values as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${values.join(", ")} (got "${value}")`);
  }
  return value as T;
}

function optionalUrl(env: Env, name: string, protocols: string[]): string | null {
  const value = env[name]?.trim();
  if (value === undefined || value === "") return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, "is not a valid URL");
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must use ${protocols.map((p) => `${p}//`).join(" or ")}`);
  }
  return value;
}
