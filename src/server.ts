import type { App } from "./app.js";
import { createApp } from "./app.js";
import type { Config } from "./config/load.js";
import { ServerKey } from "./crypto/server-key.js";
import { systemClock } from "./shared/clock.js";
import { type OpenedDatabase, openDatabase } from "./storage/dialects.js";
import { startJanitor } from "./storage/janitor.js";
import { migrateToLatest } from "./storage/migrate.js";
import { createSqlStore } from "./storage/store.js";

/** The server key from the config, or for single-node SQLite a key file beside the database. */
export function loadServerKey(config: Config): ServerKey {
  if (config.secretKey) return ServerKey.parse(config.secretKey);
  if (config.database.kind === "sqlite" && config.database.path !== ":memory:") {
    return ServerKey.fromFileBesideDatabase(config.database.path);
  }
  return ServerKey.random();
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
    const app = createApp({ config, store, serverKey: loadServerKey(config) });
    if (options.bootstrap !== false && (await app.services.projects.count()) === 0) {
      const created = await app.services.projects.create({ name: "Default project", environment: "test" });
      printFirstProject(created, config);
    }
    const url = await app.http.listen({ port: config.port, host: config.host });
    const stopJanitor = startJanitor(store, systemClock, app.http.log);
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
        await app.close();
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
