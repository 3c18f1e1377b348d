import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import type { SessionCheckFront } from "../src/http/session-check-front.js";
import { activeMember, createOrg, type TestOrg } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
  bytes: number;
}

const PATH = "/v1/b2b/sessions/authenticate";

async function post(server: TestServer, body: string, auth?: string): Promise<Answer> {
  const response = await server.fetch(PATH, { method: "POST", body, ...(auth ? { auth } : {}) });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: JSON.parse(text) as Record<string, unknown>,
    bytes: Buffer.byteLength(text),
  };
}

function frontOf(server: TestServer): SessionCheckFront {
  const front = server.app.http.sessionCheckFront;
  assert.ok(front, "the front is on with the answer cache");
  return front;
}

/**
 * Sends `body` until the front answers a repeat of it (on PostgreSQL nothing is kept until the node's listener
 * has connected). Returns the answer Fastify gave just before and the front's answer.
 */
async function warm(server: TestServer, body: string): Promise<{ fromFastify: Answer; fromFront: Answer }> {
  const front = frontOf(server);
  let fromFastify = await post(server, body);
  for (let i = 0; i < 100; i++) {
    const answered = front.answered;
    const next = await post(server, body);
    if (front.answered === answered + 1) return { fromFastify, fromFront: next };
    fromFastify = next;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("the front never answered a repeated check");
}

const withoutRequestId = ({ request_id: _, ...rest }: Record<string, unknown>) => rest;

/**
 * The front (SessionCheckFront) answers a repeated plain session check before Fastify, from the answer kept for
 * this second. The test server's clock is manual, so "this second" lasts all file long: any write the front
 * missed would show as a stale answer below.
 */
describe("sessions/authenticate: repeated checks answered before Fastify", () => {
  let server: TestServer;
  let org: TestOrg;
  before(async () => {
    server = await startTestServer();
    org = await createOrg(server.client, "Front");
  });
  after(() => server.stop());

  it("answers a repeat with Fastify's bytes and headers, and a fresh request_id", async () => {
    const member = await activeMember(server, org);
    const { fromFastify, fromFront } = await warm(
      server,
      JSON.stringify({ session_token: member.session_token }),
    );
    assert.equal(fromFront.status, 200);
    assert.deepEqual(withoutRequestId(fromFront.json), withoutRequestId(fromFastify.json));
    assert.match(String(fromFront.json.request_id), /^request-id-test-[0-9a-f-]{36}$/);
    assert.notEqual(fromFront.json.request_id, fromFastify.json.request_id);
    for (const name of ["content-type", "cache-control"]) {
      assert.equal(fromFront.headers.get(name), fromFastify.headers.get(name), name);
    }
    assert.equal(fromFront.headers.get("cache-control"), "no-store");
    assert.equal(Number(fromFront.headers.get("content-length")), fromFront.bytes);
  });

  it("answers repeated checks by JWT too", async () => {
    const member = await activeMember(server, org);
    const { fromFastify, fromFront } = await warm(
      server,
      JSON.stringify({ session_jwt: member.session_jwt }),
    );
    assert.equal(fromFront.status, 200);
    assert.deepEqual(withoutRequestId(fromFront.json), withoutRequestId(fromFastify.json));
  });

  it("learns another spelling of the same check from Fastify's answer to it", async () => {
    const member = await activeMember(server, org);
    await warm(server, JSON.stringify({ session_token: member.session_token }));
    const front = frontOf(server);
    const spaced = `{ "session_token" : ${JSON.stringify(member.session_token)} }`;
    const answered = front.answered;
    assert.equal((await post(server, spaced)).status, 200);
    assert.equal(
      front.answered,
      answered,
      "new bytes: answered by Fastify, from the credential's kept answer",
    );
    const again = await post(server, spaced);
    assert.equal(again.status, 200);
    assert.equal(front.answered, answered + 1, "the same new bytes again: answered by the front");
  });

  it("never answers the same body sent with other credentials", async () => {
    const member = await activeMember(server, org);
    const body = JSON.stringify({ session_token: member.session_token });
    await warm(server, body);
    const front = frontOf(server);
    const answered = front.answered;

    const wrongSecret = `Basic ${Buffer.from(`${server.project.project_id}:secret-test-wrong`).toString("base64")}`;
    const refused = await post(server, body, wrongSecret);
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error_type, "unauthorized_credentials");

    const other = await server.newProject();
    const basic = `Basic ${Buffer.from(`${other.credentials.project_id}:${other.credentials.secret}`).toString("base64")}`;
    const elsewhere = await post(server, body, basic);
    assert.equal(elsewhere.status, 404);
    assert.equal(elsewhere.json.error_type, "session_not_found");
    assert.equal(front.answered, answered);
  });

  it("sees a revocation at once", async () => {
    const member = await activeMember(server, org);
    const body = JSON.stringify({ session_token: member.session_token });
    await warm(server, body);
    const answered = frontOf(server).answered;
    await server.client.sessions.revoke({ member_session_id: member.member_session_id });
    const after = await post(server, body);
    assert.equal(after.status, 404);
    assert.equal(after.json.error_type, "session_not_found");
    assert.equal(frontOf(server).answered, answered);
  });

  it("leaves checks that extend the session or set claims to Fastify", async () => {
    const member = await activeMember(server, org);
    const front = frontOf(server);
    const answered = front.answered;
    const body = JSON.stringify({ session_token: member.session_token, session_duration_minutes: 60 });
    for (let i = 0; i < 3; i++) assert.equal((await post(server, body)).status, 200);
    assert.equal(front.answered, answered);
  });

  it("hands a body it read but cannot use to Fastify, which answers with the error catalog", async () => {
    const front = frontOf(server);
    const answered = front.answered;
    const broken = await post(server, '{"session_token": ');
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error_type, "bad_request");
    const empty = await post(server, JSON.stringify({ session_token: "" }));
    assert.equal(empty.status, 400);
    assert.equal(typeof empty.json.error_message, "string");
    assert.equal(front.answered, answered);
  });

  it("leaves a chunked body (no content-length) to Fastify", async () => {
    const member = await activeMember(server, org);
    const body = JSON.stringify({ session_token: member.session_token });
    await warm(server, body);
    const front = frontOf(server);
    const answered = front.answered;
    const url = new URL(PATH, server.url);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = httpRequest(
        url,
        {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Basic ${Buffer.from(`${server.project.project_id}:${server.project.secret}`).toString("base64")}`,
          },
        },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => {
            text += chunk;
          });
          response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      request.on("error", reject);
      request.write(body.slice(0, 10));
      request.end(body.slice(10));
    });
    assert.equal(status, 200);
    assert.equal(
      (JSON.parse(text) as { member?: { member_id?: string } }).member?.member_id,
      member.member_id,
    );
    assert.equal(front.answered, answered);
  });

  it("keys a request with two Authorization headers on the one Fastify reads", async () => {
    const member = await activeMember(server, org);
    const body = JSON.stringify({ session_token: member.session_token });
    await warm(server, body);
    const front = frontOf(server);
    const answered = front.answered;
    const basic = `Basic ${Buffer.from(`${server.project.project_id}:${server.project.secret}`).toString("base64")}`;
    const { port } = new URL(server.url);
    // A raw request (fetch would fold the two into one): wrong credentials first, then the ones whose answer is
    // kept. Node and Fastify read the first, so the answer must be Fastify's 401: a front keying its answers on
    // any other copy would serve the kept 200 to the wrong credentials.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(
          `POST ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
            `Authorization: Basic bm9ib2R5Om5vdGhpbmc=\r\nAuthorization: ${basic}\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
      let text = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        text += chunk;
      });
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    assert.match(reply, /^HTTP\/1\.1 401 /);
    assert.equal(front.answered, answered, "Fastify answered it, not the front");
  });

  it("survives a client that leaves in the middle of its body", async () => {
    const member = await activeMember(server, org);
    const { port } = new URL(server.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(
          `POST ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"session_`,
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on("error", reject);
    });
    const ok = await post(server, JSON.stringify({ session_token: member.session_token }));
    assert.equal(ok.status, 200);
  });

  // Last: the front stays closed for the rest of this server's life.
  it("steps aside once the app is closing", async () => {
    const member = await activeMember(server, org);
    const body = JSON.stringify({ session_token: member.session_token });
    await warm(server, body);
    const front = frontOf(server);
    front.close();
    const answered = front.answered;
    assert.equal((await post(server, body)).status, 200);
    assert.equal(front.answered, answered);
  });
});

describe("sessions/authenticate: the front while requests are logged", () => {
  const logLines: string[] = [];
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ logLines });
  });
  after(() => server.stop());

  it("answers nothing itself, so every request is logged", async () => {
    const org = await createOrg(server.client, "Logged");
    const member = await activeMember(server, org);
    const body = JSON.stringify({ session_token: member.session_token });
    const before = logLines.filter((line) => line.includes('"incoming request"')).length;
    for (let i = 0; i < 5; i++) assert.equal((await post(server, body)).status, 200);
    assert.equal(frontOf(server).answered, 0);
    const logged = logLines.filter((line) => line.includes('"incoming request"')).length - before;
    assert.equal(logged, 5);
  });
});
