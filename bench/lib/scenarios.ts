import type { ProjectCredentials } from "../../src/projects/projects-service.js";
import { basicAuth } from "./gatehouse.js";
import {
  type HttpLoad,
  type Measured,
  measure,
  type Round,
  runHttp,
  runLoop,
  sleep,
  startCpu,
  summarize,
  type Timing,
} from "./load.js";
import type { ServerProcess } from "./procs.js";
import { ApiClient, BENCH_PASSWORD, type SeededMember, WRONG_PASSWORD } from "./seed-api.js";

/** The Gatehouse scenarios, as loads over seeded data. */

export const CONNECTIONS = 10;
export const LOGIN_CONNECTIONS = 8;

export interface Target {
  url: string;
  credentials: ProjectCredentials;
}

const auth = (t: Target) => ({ authorization: basicAuth(t.credentials) });

export function jwksLoad(t: Target): HttpLoad {
  return {
    url: t.url,
    paths: [`/v1/b2b/sessions/jwks/${t.credentials.project_id}`],
    connections: CONNECTIONS,
    ok: (s) => s === 200,
  };
}

export function orgGetLoad(t: Target, organizationIds: string[]): HttpLoad {
  return {
    url: t.url,
    headers: auth(t),
    paths: organizationIds.map((id) => `/v1/b2b/organizations/${id}`),
    connections: CONNECTIONS,
    ok: (s) => s === 200,
  };
}

export function sessionLoad(
  t: Target,
  sessions: { session_token?: string; session_jwt?: string }[],
  by: "session_token" | "session_jwt",
  overrides: Partial<HttpLoad> = {},
): HttpLoad {
  return {
    url: t.url,
    method: "POST",
    headers: auth(t),
    paths: ["/v1/b2b/sessions/authenticate"],
    bodies: sessions.map((s) => JSON.stringify({ [by]: s[by] })),
    connections: CONNECTIONS,
    ok: (s) => s === 200,
    ...overrides,
  };
}

export function passwordLoad(t: Target, members: SeededMember[], correct: boolean): HttpLoad {
  return {
    url: t.url,
    method: "POST",
    headers: auth(t),
    paths: ["/v1/b2b/passwords/authenticate"],
    bodies: members.map((m) =>
      JSON.stringify({
        organization_id: m.organization_id,
        email_address: m.email,
        password: correct ? BENCH_PASSWORD : WRONG_PASSWORD,
      }),
    ),
    connections: LOGIN_CONNECTIONS,
    ok: correct ? (s) => s === 200 : (s) => s === 401,
  };
}

/**
 * One magic-link round trip: login_or_signup for a fresh address (the per-recipient email limit is 5 a
 * minute, so every iteration uses a new one, and a new pending member is JIT-created), the token read from
 * the dev outbox, then magic_links/authenticate.
 */
export function magicLinkIteration(t: Target, org: { organization_id: string; domain: string }) {
  const api = new ApiClient(t.url, t.credentials);
  let n = 0;
  const run = `${process.pid}${Date.now().toString(36)}`;
  return async (): Promise<boolean> => {
    const email = `ml${run}x${n++}@${org.domain}`;
    const sent = await api.call("POST", "/v1/b2b/magic_links/email/login_or_signup", {
      organization_id: org.organization_id,
      email_address: email,
    });
    if (sent.status !== 200) throw new Error(`login_or_signup: ${sent.status} ${JSON.stringify(sent.json)}`);
    const res = await fetch(`${t.url}/dev/outbox?to=${encodeURIComponent(email)}&limit=1`);
    const { messages } = (await res.json()) as { messages: { text: string }[] };
    const token = /[?&]token=([A-Za-z0-9_=-]+)/.exec(messages[0]?.text ?? "")?.[1];
    if (!token) throw new Error(`no token in the outbox for ${email}`);
    const authed = await api.call("POST", "/v1/b2b/magic_links/authenticate", { magic_links_token: token });
    if (authed.status !== 200)
      throw new Error(`authenticate: ${authed.status} ${JSON.stringify(authed.json)}`);
    return true;
  };
}

export const MAGIC_LINK_CONCURRENCY = 4;

/** Rate of the session checks in the flood scenario (requests per second, over 4 connections). */
export const FLOOD_SESSION_RATE = 200;

export interface FloodResult {
  idle: Measured;
  flooded: Measured;
  /** The logins that ran during the flooded rounds. */
  flood: Measured;
}

/**
 * Session checks at a fixed rate, alone (idle) and while password logins flood the server from 8 connections;
 * the server's event-loop lag is read in each round. Same rate both times, so the p99s compare.
 */
export async function floodScenario(
  t: Target,
  server: ServerProcess,
  sessions: { session_token: string }[],
  members: SeededMember[],
  timing: Timing,
): Promise<FloodResult> {
  const checks = sessionLoad(t, sessions, "session_token", {
    connections: 4,
    overallRate: FLOOD_SESSION_RATE,
    keepLatencies: true,
  });
  const idle = await measure((s) => runHttp(checks, s), timing, server);
  const logins = passwordLoad(t, members, true);
  await runHttp(logins, timing.warmupSeconds);
  const flooded: Round[] = [];
  const floodRounds: Round[] = [];
  for (let i = 0; i < timing.rounds; i++) {
    const floodRun = runHttp(logins, timing.seconds + 1.5);
    await sleep(500);
    await server.resetLag();
    const cpu = startCpu(server);
    const round = await runHttp(checks, timing.seconds);
    cpu.end(round);
    const probe = await server.readProbe();
    round.lagP99 = probe.lag.p99;
    round.lagMax = probe.lag.max;
    flooded.push(round);
    floodRounds.push(await floodRun);
  }
  return { idle, flooded: summarize(flooded, server), flood: summarize(floodRounds) };
}

export { measure, runHttp, runLoop };
