// The framework's floor: Fastify (the same version and JSON-body handling Gatehouse uses) answering
// POST /v1/b2b/sessions/authenticate with a fixed JSON body the size of a real session answer, after parsing and
// validating the request body against a schema. Nothing is looked up, signed or serialized per request. The
// distance from the node:http floor to this one is what the framework and the request/answer sizes cost; the
// distance from here to Gatehouse is what Gatehouse's own work costs.
import Fastify from "fastify";

const bytes = Number(process.env.ANSWER_BYTES ?? 4555);
const head = '{"request_id":"request-id-test-floor","status_code":200,"pad":"';
const body = `${head}${"x".repeat(Math.max(0, bytes - head.length - 2))}"}`;

const app = Fastify({ logger: false });
app.post(
  "/v1/b2b/sessions/authenticate",
  {
    schema: {
      body: {
        type: "object",
        properties: { session_token: { type: "string" }, session_jwt: { type: "string" } },
      },
    },
  },
  async (_request, reply) => reply.type("application/json; charset=utf-8").send(body),
);
app.get("/", async () => ({ ok: true }));
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
process.once("SIGTERM", () => app.close().then(() => process.exit(0)));
