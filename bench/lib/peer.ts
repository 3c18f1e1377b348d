import { join } from "node:path";
import type { HttpLoad } from "./load.js";
import { ROOT, type ServerProcess, startServer } from "./procs.js";
import { BENCH_PASSWORD, pool } from "./seed-api.js";

/** The Better Auth peer: start, seed through its own API (sign-up, organization create), and its loads. */

export interface PeerSeed {
  users: { email: string; cookie: string }[];
}

export async function startBetterAuth(dir: string): Promise<ServerProcess> {
  return startServer({
    name: "better-auth",
    script: join(ROOT, "bench", "servers", "better-auth.mjs"),
    env: {
      BETTER_AUTH_DATABASE: join(dir, "better-auth.db"),
      BETTER_AUTH_SECRET: crypto.randomUUID() + crypto.randomUUID(),
      NODE_ENV: "production",
    },
    healthPath: "/healthz",
    logFile: join(dir, "better-auth.log"),
  });
}

function cookieOf(res: Response): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token="));
  if (!set) throw new Error("Better Auth answered without a session cookie");
  return set.split(";")[0] ?? "";
}

/** `count` users, each signed up and owning an organization (which becomes the session's active one). */
export async function seedBetterAuth(server: ServerProcess, count: number): Promise<PeerSeed> {
  const headers = { "content-type": "application/json", origin: server.url };
  const users = await pool(
    Array.from({ length: count }, (_, i) => i),
    4,
    async (i) => {
      const email = `user${i}@peer.bench.example`;
      const signUp = await fetch(`${server.url}/api/auth/sign-up/email`, {
        method: "POST",
        headers,
        body: JSON.stringify({ email, password: BENCH_PASSWORD, name: `User ${i}` }),
      });
      if (signUp.status !== 200)
        throw new Error(`Better Auth sign-up: ${signUp.status} ${await signUp.text()}`);
      await signUp.arrayBuffer();
      const cookie = cookieOf(signUp);
      const org = await fetch(`${server.url}/api/auth/organization/create`, {
        method: "POST",
        headers: { ...headers, cookie },
        body: JSON.stringify({ name: `Peer org ${i}`, slug: `peer-org-${i}` }),
      });
      if (org.status !== 200)
        throw new Error(`Better Auth organization/create: ${org.status} ${await org.text()}`);
      await org.arrayBuffer();
      return { email, cookie };
    },
  );
  // Sanity: the session carries its active organization.
  const check = await fetch(`${server.url}/api/auth/get-session`, { headers: { cookie: users[0]!.cookie } });
  const session = (await check.json()) as { session?: { activeOrganizationId?: string | null } };
  if (!session.session?.activeOrganizationId)
    throw new Error("Better Auth session has no active organization");
  return { users };
}

export function peerSignInLoad(server: ServerProcess, seed: PeerSeed, connections: number): HttpLoad {
  return {
    url: server.url,
    method: "POST",
    headers: { origin: server.url },
    paths: ["/api/auth/sign-in/email"],
    bodies: seed.users.map((u) => JSON.stringify({ email: u.email, password: BENCH_PASSWORD })),
    connections,
    ok: (s) => s === 200,
  };
}

export function peerGetSessionLoad(server: ServerProcess, seed: PeerSeed, connections: number): HttpLoad {
  return {
    url: server.url,
    paths: ["/api/auth/get-session"],
    headerSets: seed.users.map((u) => ({ cookie: u.cookie })),
    connections,
    ok: (s) => s === 200,
  };
}
