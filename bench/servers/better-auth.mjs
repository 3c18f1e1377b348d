// The peer: Better Auth (email and password, organization plugin) on SQLite through better-sqlite3, as a plain
// node:http server. Its schema is created with Better Auth's own migration API. Rate limiting is off (Gatehouse
// has no login rate limit either), telemetry is off, the database is in WAL mode like Gatehouse's.
import { createServer } from "node:http";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { organization } from "better-auth/plugins";
import Database from "better-sqlite3";

const port = Number(process.env.PORT);
const sqlite = new Database(process.env.BETTER_AUTH_DATABASE);
sqlite.pragma("journal_mode = WAL");

const auth = betterAuth({
  database: sqlite,
  baseURL: `http://127.0.0.1:${port}`,
  secret: process.env.BETTER_AUTH_SECRET,
  emailAndPassword: { enabled: true },
  plugins: [organization()],
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { level: "error" },
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const handler = toNodeHandler(auth);
const server = createServer((request, response) => {
  if (request.url === "/healthz") {
    response.writeHead(200, { "content-type": "application/json" });
    response.end('{"status":"ok"}');
    return;
  }
  handler(request, response);
});
server.listen(port, "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
