import type { App } from "./app.js";
import { createApp } from "./app.js";
import { type Config, ConfigError } from "./config/load.js";
import { ServerKey } from "./crypto/server-key.js";
import { lowerThreadPoolPriority } from "./passwords/pool-priority.js";
import { systemClock } from "./shared/clock.js";
import { IDLE_COLLECTOR_DEFAULTS, startIdleCollector } from "./shared/idle-collector.js";
import { type OpenedDatabase, openDatabase } from "./storage/dialects.js";
import { startJanitor } from "./storage/janitor.js";
import { migrateToLatest } from "./storage/migrate.js";
import { createSqlStore, type Store } from "./storage/store.js";

/** The server key from the config, or for single-node SQLite a key file beside the database. */
export function loadServerKey(config: Config): ServerKey {
  if (config.secretKey) return ServerKey.parse(config.secretKey);
  if (config.database.kind === "sqlite" && config.database.path !== ":memory:") {
    return ServerKey.fromFileBesideDatabase(config.database.path);
  }
  return ServerKey.random();
}

/**
 * Refuses to start with a server key other than the one the database's signing keys were sealed with: every
 * login would otherwise fail at JWT signing. The usual cause is a lost data/gatehouse.key or a changed
 * GATEHOUSE_SECRET_KEY.
 */
export async function assertServerKeyOpensSigningKeys(store: Store, serverKey: ServerKey): Promise<void> {
  const [project] = await store.projects.listProjects();
  if (!project) return;
  const [key] = await store.signingKeys.listKeys(project.project_id);
  if (!key) return;
  try {
    serverKey.open(key.private_jwk_sealed);
  } catch {
    throw new ConfigError(
      "GATEHOUSE_SECRET_KEY",
      "does not open this database's JWT signing keys: use the key the database was created with (GATEHOUSE_SECRET_KEY, or data/gatehouse.key beside an SQLite file)",
    );
  }
}

export interface RunningServer {
  readonly app: App;
  readonly database: OpenedDatabase;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Opens the database, migrates it, builds the app, and on a brand-new database creates a first test project
 * and prints its credentials (so the README's curl commands work at once). Then listens.
 */
export async function startServer(
  config: Config,
  options: { bootstrap?: boolean } = {},
): Promise<RunningServer> {
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database);
    const store = createSqlStore(database.db);
    const serverKey = loadServerKey(config);
    await assertServerKeyOpensSigningKeys(store, serverKey);
    const app = createApp({ config, store, serverKey, changes: database.changes });
    if (
      config.bootstrapProject &&
      options.bootstrap !== false &&
      (await app.services.projects.count()) === 0
    ) {
      const created = await app.services.projects.create({ name: "Default project", environment: "test" });
      printFirstProject(created, config);
    }
    // Before listening: once the port answers, callers (and the CLI's signal handlers, installed when this
    // returns) must not wait on anything else.
    const lowered = await lowerThreadPoolPriority(config.threadPoolSize, config.hashThreadNice);
    app.http.log.debug(lowered, "thread-pool threads (password hashing) reniced");
    const url = await app.http.listen({ port: config.port, host: config.host });
    const stopJanitor = startJanitor(store, systemClock, app.http.log);
    const stopIdleCollector = startIdleCollector(IDLE_COLLECTOR_DEFAULTS, (collection) =>
      app.http.log.debug(collection, "idle: full garbage collection"),
    );
    if (app.mailer.kind === "outbox") {
      app.http.log.warn(
        `no GATEHOUSE_SMTP_URL: emails go to the dev outbox at ${config.publicUrl}/dev/outbox`,
      );
    }
    return {
      app,
      database,
      url,
      async stop() {
        stopJanitor();
        stopIdleCollector();
        await app.close();
        await store.flush();
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

function printFirstProject(
  created: { project_id: string; secret: string; public_token: string },
  config: Config,
) {
  const lines = [
    "",
    "  Gatehouse created a first test project (the secret is shown only this once):",
    "",
    `    project_id:   ${created.project_id}`,
    `    secret:       ${created.secret}`,
    `    public_token: ${created.public_token}`,
    "",
    `    export GATEHOUSE_PROJECT_ID=${created.project_id}`,
    `    export GATEHOUSE_SECRET=${created.secret}`,
    "",
    `  SDK: new B2BClient({ project_id, secret, env: "${config.publicUrl}/" })`,
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
