import { type ErrorType, errorMessage, errorStatus } from "./codes.js";

/**
 * The only error domain code throws on purpose. It carries an `error_type` from the catalog and never any HTTP
 * types: the mapper in http/error-handler.ts turns it into a Stytch-shaped response.
 */
export class AuthError extends Error {
  readonly type: ErrorType;
  readonly details: Record<string, unknown> | undefined;
  /** Seconds after which a retry may succeed (rate limits, locks); sent as Retry-After. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    type: ErrorType,
    options: {
      message?: string;
      details?: Record<string, unknown>;
      cause?: unknown;
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(
      options.message ?? errorMessage(type),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "AuthError";
    this.type = type;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return errorStatus(this.type);
  }
}

export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}
