#!/usr/bin/env node
import { ConfigError, loadConfig } from "../config/load.js";
import { REDIRECT_URL_TYPES, type RedirectUrlType } from "../projects/project.js";
import { createProjectsService } from "../projects/projects-service.js";
import { assertServerKeyOpensSigningKeys, loadServerKey, startServer } from "../server.js";
import { SigningKeys } from "../sessions/signing-keys.js";
import { systemClock } from "../shared/clock.js";
import { openDatabase } from "../storage/dialects.js";
import { migrateToLatest } from "../storage/migrate.js";
import { createSqlStore } from "../storage/store.js";
import { type ParsedArgs, parseArgs, requireFlag, UsageError } from "./args.js";
import { keysCommand } from "./keys.js";

const USAGE = `Usage: gatehouse <command> [options]

  serve                                   start the server (default; what npm start runs)
  migrate                                 apply database migrations and exit
  projects create --name <name> [--live] [--json]
  projects list [--json]
  secrets create --project <project_id>
  redirect-urls add --project <id> --url <url> --type <all|login|signup|invite|reset_password|discovery> [--default]
  redirect-urls list --project <id> [--json]
  keys rotate --project <id> [--grace-seconds 300]   rotate the project's JWT signing key
  keys list --project <id> [--json]

Configuration comes from the environment: PORT, HOST, GATEHOUSE_DATABASE_URL, GATEHOUSE_SMTP_URL,
GATEHOUSE_PUBLIC_URL, GATEHOUSE_SECRET_KEY (see README.md).`;

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const [command = "serve", sub] = args.positionals;
  if (args.flags.has("help") || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    case "serve": {
      const server = await startServer(config);
      const shutdown = (signal: string) => {
        server.app.http.log.info(`${signal}: shutting down`);
        server.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once("SIGINT", () => shutdown("SIGINT"));
      process.once("SIGTERM", () => shutdown("SIGTERM"));
      return -1; // keep running
    }
    case "migrate": {
      const database = openDatabase(config.database);
      try {
        const result = await migrateToLatest(database);
        const applied =
          result.results?.filter((r) => r.status === "Success").map((r) => r.migrationName) ?? [];
        process.stdout.write(
          applied.length ? `applied: ${applied.join(", ")}\n` : "database is up to date\n",
        );
      } finally {
        await database.close();
      }
      return 0;
    }
    case "projects":
    case "secrets":
    case "redirect-urls":
      return withProjects(config, (projects) => admin(command, sub, args, projects));
    case "keys":
      return withProjects(config, (projects, keys) => keysCommand(sub, args, projects, keys, printer(args)));
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

type Projects = ReturnType<typeof createProjectsService>;

async function withProjects(
  config: ReturnType<typeof loadConfig>,
  run: (projects: Projects, keys: SigningKeys) => Promise<number>,
) {
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database);
    const store = createSqlStore(database.db);
    const serverKey = loadServerKey(config);
    await assertServerKeyOpensSigningKeys(store, serverKey);
    const keys = new SigningKeys(store.signingKeys, systemClock, serverKey);
    return await run(createProjectsService({ store, keys, clock: systemClock }), keys);
  } finally {
    await database.close();
  }
}

/** Prints JSON with --json, else the human text. */
function printer(args: ParsedArgs): (value: unknown, text: string) => void {
  const json = args.flags.has("json");
  return (value, text) => process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

async function admin(
  command: string,
  sub: string | undefined,
  args: ParsedArgs,
  projects: Projects,
): Promise<number> {
  const print = printer(args);
  switch (`${command} ${sub ?? ""}`) {
    case "projects create": {
      const created = await projects.create({
        name: requireFlag(args, "name"),
        environment: args.flags.has("live") ? "live" : "test",
      });
      print(
        created,
        `project_id:   ${created.project_id}\nsecret:       ${created.secret}\npublic_token: ${created.public_token}\n(the secret is shown only this once)`,
      );
      return 0;
    }
    case "projects list": {
      const list = await projects.list();
      const rows = list.map((p) => ({
        project_id: p.project_id,
        name: p.name,
        environment: p.environment,
        public_token: p.public_token,
        created_at: new Date(p.created_at).toISOString(),
      }));
      print(
        rows,
        rows.map((p) => `${p.project_id}  ${p.environment}  ${p.name}`).join("\n") || "(no projects)",
      );
      return 0;
    }
    case "secrets create": {
      const projectId = requireFlag(args, "project");
      const secret = await projects.createSecret(projectId);
      print({ project_id: projectId, secret }, `secret: ${secret}\n(the secret is shown only this once)`);
      return 0;
    }
    case "redirect-urls add": {
      const projectId = requireFlag(args, "project");
      const url = requireFlag(args, "url");
      const type = requireFlag(args, "type");
      if (type !== "all" && !(REDIRECT_URL_TYPES as readonly string[]).includes(type)) {
        throw new UsageError(`--type must be all or one of ${REDIRECT_URL_TYPES.join(", ")}`);
      }
      const types = type === "all" ? [...REDIRECT_URL_TYPES] : [type as RedirectUrlType];
      await projects.addRedirectUrl(projectId, url, types, args.flags.has("default"));
      print(
        { project_id: projectId, url, types, is_default: args.flags.has("default") },
        `added ${url} for ${types.join(", ")}`,
      );
      return 0;
    }
    case "redirect-urls list": {
      const urls = await projects.listRedirectUrls(requireFlag(args, "project"));
      print(
        urls,
        urls
          .map((u) => `${u.type.padEnd(15)} ${u.is_default ? "default" : "       "}  ${u.url}`)
          .join("\n") || "(none)",
      );
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command} ${sub ?? ""}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`gatehouse: ${error.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (error instanceof ConfigError) {
      process.stderr.write(`gatehouse: invalid configuration: ${error.message}\n`);
      process.exitCode = 78;
    } else {
      process.stderr.write(
        `gatehouse: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    }
  },
);
