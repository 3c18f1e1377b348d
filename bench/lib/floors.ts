import { join } from "node:path";
import { ROOT, type ServerProcess, startServer, TMP } from "./procs.js";

/**
 * The size of a sessions/authenticate answer for a bench member (member, organization, session and a JWT of
 * about 1.6 KB), measured on Gatehouse; the sized floors answer with a body this long.
 */
export const SESSION_ANSWER_BYTES = 4555;

/** The bare node:http floor (`bench/servers/floor.mjs`); Fastify's is `fastify-floor.mjs`. */
export const FLOOR_SCRIPT = join(ROOT, "bench", "servers", "floor.mjs");

/**
 * A floor server as its own process: a fixed small JSON answer, or, with `answerBytes`, a fixed body of that
 * length (the sized floor: what an answer of that size costs a server that looks nothing up).
 */
export function startFloor(
  name: string,
  options: { script?: string; answerBytes?: number; cpuProfileDir?: string } = {},
): Promise<ServerProcess> {
  return startServer({
    name,
    script: options.script ?? FLOOR_SCRIPT,
    ...(options.cpuProfileDir ? { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] } : {}),
    env: options.answerBytes ? { ANSWER_BYTES: String(options.answerBytes) } : {},
    healthPath: "/",
    logFile: join(TMP, `${name}.log`),
  });
}
