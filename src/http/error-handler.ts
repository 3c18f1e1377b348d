import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { AuthError, isAuthError } from "../errors/auth-error.js";
import { type ErrorType, errorStatus } from "../errors/codes.js";
import { requestIdOf } from "./context.js";

/**
 * THE mapper from thrown errors to Stytch-shaped JSON: `{status_code, request_id, error_type, error_message,
 * error_url[, error_details]}`. Domain errors keep their type; Fastify's own errors (validation, media type,
 * body size, bad JSON) map to catalog types; anything else is a 500 whose cause goes only to the log.
 */
export function toAuthError(error: unknown): AuthError {
  if (isAuthError(error)) return error;
  const e = error as Partial<FastifyError> & { code?: string };
  if (e.validation) {
    return new AuthError("bad_request", {
      message:
        `${e.validationContext ?? "request"}${e.message?.replace(/^(body|querystring|params)/, "") ?? ""}`.trim(),
    });
  }
  switch (e.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new AuthError("unsupported_media_type");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new AuthError("request_body_too_large");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new AuthError("bad_request", { message: "The request body is not valid JSON." });
  }
  if (isDatabaseUnavailable(error))
    return new AuthError("service_unavailable", { cause: error, retryAfterSeconds: 1 });
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    const type: ErrorType =
      e.statusCode === 413
        ? "request_body_too_large"
        : e.statusCode === 415
          ? "unsupported_media_type"
          : "bad_request";
    return new AuthError(type, { message: e.message ?? undefined, cause: error });
  }
  return new AuthError("internal_server_error", { cause: error });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: AuthError): FastifyReply {
  const status = errorStatus(error.type);
  if (error.retryAfterSeconds !== undefined) reply.header("retry-after", String(error.retryAfterSeconds));
  return reply
    .code(status)
    .type("application/json; charset=utf-8")
    .send({
      status_code: status,
      request_id: requestIdOf(request),
      error_type: error.type,
      error_message: error.message,
      error_url: `https://stytch.com/docs/b2b/api/errors/${status}#${error.type}`,
      ...(error.details ? { error_details: error.details } : {}),
    });
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const mapped = toAuthError(error);
  if (mapped.status >= 500) request.log.error({ err: error }, "request failed");
  else request.log.info({ error_type: mapped.type }, "request refused");
  return sendError(request, reply, mapped);
}

/** Lock contention or a lost connection: the client may retry, the server needs no restart. */
function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === "SQLITE_BUSY" ||
    code === "SQLITE_LOCKED" ||
    code === "ECONNREFUSED" ||
    code === "57P01" /* admin shutdown */ ||
    code === "57014" /* statement timeout */ ||
    code === "08006" /* connection failure */
  );
}
