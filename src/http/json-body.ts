import type { FastifyInstance } from "fastify";
import secureJson from "secure-json-parse";
import { AuthError } from "../errors/auth-error.js";

/** Deepest nesting a body may have. Metadata and claims are shallow; this only stops hostile input (ATK-7). */
const MAX_DEPTH = 32;

/**
 * JSON bodies: parsed with secure-json-parse (a `__proto__` or `constructor.prototype` key is refused, ATK-4),
 * checked for depth without recursion (ATK-7), and an empty body reads as `{}` (the SDK sends `{}` on DELETE,
 * some clients send nothing). Top-level `null` values mean "not given", as the SDK sends them for unset options.
 */
export function registerJsonBody(app: FastifyInstance): void {
  // Every default parser goes, not only JSON's: Fastify's built-in text/plain parser would otherwise hand a
  // string body to the route (answered 400 by schema validation) where the API promises 415 (API-3).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, {});
    let parsed: unknown;
    try {
      parsed = secureJson.parse(text, undefined, { protoAction: "error", constructorAction: "error" });
    } catch {
      return done(
        new AuthError("bad_request", { message: "The request body is not valid JSON." }),
        undefined,
      );
    }
    if (depthExceeds(parsed, MAX_DEPTH)) {
      return done(
        new AuthError("bad_request", {
          message: `The request body is nested deeper than ${MAX_DEPTH} levels.`,
        }),
        undefined,
      );
    }
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
      for (const [key, value] of Object.entries(parsed)) {
        if (value === null) delete (parsed as Record<string, unknown>)[key];
      }
    }
    done(null, parsed);
  });
}

function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== "object") continue;
    if (depth > max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}
