import { hash, randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import { Readable } from "node:stream";
import type { FastifyServerOptions } from "fastify";
import type { SessionAnswerCache } from "../sessions/answer-cache.js";

/** The only request the front answers itself. */
const PATH = "/v1/b2b/sessions/authenticate";

/**
 * Bodies the front reads before Fastify: a plain check carries one token (about 60 bytes) or one JWT (about
 * 1 KB). Anything larger, or sent without a content-length, goes to Fastify untouched.
 */
const MAX_FRONT_BODY = 8 * 1024;

/** A kept sessions/authenticate answer: what follows `{"request_id":"<idPrefix><uuid>",` in the body. */
export interface KeptAnswer {
  /** `request-id-<environment>-`: Stytch's request ids carry the project's environment. */
  readonly idPrefix: string;
  readonly tail: string;
  /** UTF-8 length of `tail`, so a repeat does not measure 4.5 KB again. */
  readonly tailBytes: number;
}

export function keptAnswer(idPrefix: string, tail: string): KeptAnswer {
  return { idPrefix, tail, tailBytes: Buffer.byteLength(tail) };
}

/** The body of a kept answer with a fresh request id (the uuid is also what Fastify would have used). */
export function answerBody(kept: KeptAnswer): string {
  return `{"request_id":"${kept.idPrefix}${randomUUID()}",${kept.tail}`;
}

/** What the front learnt of a request it read and passed on: its body, and the key its answer is kept under. */
interface FrontRead {
  readonly body: Buffer;
  readonly key: string;
}

const kFrontRead = Symbol("gatehouse.sessionCheckFront");
type ReadRequest = IncomingMessage & { [kFrontRead]?: FrontRead };

/**
 * The key under which the answer to this exact request may be kept (set when the front read the request and
 * passed it on to Fastify), or undefined.
 */
export function frontKeyOf(request: IncomingMessage): string | undefined {
  return (request as ReadRequest)[kFrontRead]?.key;
}

/**
 * For a request whose body the front already read: a stream of that body, to take the place of the consumed
 * request stream (Fastify's preParsing). Undefined for any other request.
 */
export function bufferedBodyOf(request: IncomingMessage): Readable | undefined {
  const read = (request as ReadRequest)[kFrontRead];
  return read ? Readable.from([read.body], { objectMode: false }) : undefined;
}

/**
 * Answers a repeated session check before the request reaches Fastify.
 *
 * Contract: the front answers a request only with the answer Gatehouse gave, within this wall-clock second, to
 * a request with the same path, Authorization header, Content-Type and body bytes, while SessionAnswerCache
 * still holds that answer (so no write that could change it has committed since, on this node or another).
 * Such a request would pass the same project authentication, schema validation and service call and get the
 * same bytes, except its request_id, which the front makes fresh. Everything else, including every first
 * request and every failure, goes through Fastify: routing, hooks, schemas and the error catalog all apply.
 *
 * Why it exists: Fastify's own per-request work (routing, hooks, body parsing and validation) costs more than
 * answering from the cache does, so a busy app re-checking the same sessions is capped by the framework
 * rather than by Gatehouse (bench/results/2026-11-26-optimisations.md).
 *
 * The key is a SHA-256 digest of those headers and the body: it holds no usable secret or token. The front
 * steps aside while the app is closing (Fastify answers 503 then) and whenever the logger would log requests,
 * so a request it answers is one nobody would have seen in the logs anyway.
 */
export class SessionCheckFront {
  private closing = false;
  /** How many requests the front has answered itself (for tests and diagnostics). */
  answered = 0;

  constructor(
    private readonly answers: SessionAnswerCache<KeptAnswer>,
    /** True while requests are not logged (the level is above info). */
    private readonly quiet: () => boolean,
  ) {}

  /** From now on every request goes to Fastify (app.close() has begun). */
  close(): void {
    this.closing = true;
  }

  /** Fastify's `serverFactory`: the same HTTP/1 server Fastify would create, with the front before its handler. */
  serverFactory(handler: RequestListener, options: FastifyServerOptions): Server {
    const server = createServer(this.listener(handler));
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
    if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
    if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  }

  listener(handler: RequestListener): RequestListener {
    return (request, response) => {
      if (request.method !== "POST" || request.url !== PATH || this.closing || !this.quiet()) {
        handler(request, response);
        return;
      }
      const length = Number(request.headers["content-length"]);
      if (!(length > 0 && length <= MAX_FRONT_BODY)) {
        handler(request, response);
        return;
      }
      this.read(request, response, handler);
    };
  }

  private read(request: IncomingMessage, response: ServerResponse, handler: RequestListener): void {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    };
    // The client went away mid-body: there is nobody to answer.
    const onError = () => response.destroy();
    request.on("data", onData);
    request.once("error", onError);
    request.once("end", () => {
      request.off("data", onData);
      request.off("error", onError);
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      const key = requestKey(request, body);
      const kept = this.answers.get(key);
      if (kept === undefined) {
        (request as ReadRequest)[kFrontRead] = { body, key };
        handler(request, response);
        return;
      }
      this.answered++;
      const json = answerBody(kept);
      response.writeHead(200, {
        "content-type": "application/json; charset=utf-8",
        "content-length": json.length - kept.tail.length + kept.tailBytes,
        // As the app's onSend hook sets on every answer: tokens are in it (CS-7).
        "cache-control": "no-store",
      });
      response.end(json);
    });
  }
}

/**
 * The digest of everything the answer depends on besides stored data: Authorization, Content-Type and the body.
 * Header values cannot hold "\n" (Node refuses them), and the body is read as latin1, one character per byte,
 * so distinct requests give distinct inputs. The leading space keeps these keys apart from credential keys,
 * which start with a project id.
 */
function requestKey(request: IncomingMessage, body: Buffer): string {
  const { authorization = "", "content-type": contentType = "" } = request.headers;
  return ` req:${hash("sha256", `${authorization}\n${contentType}\n${body.toString("latin1")}`, "base64")}`;
}
