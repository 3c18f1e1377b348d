import type { ProjectCredentials } from "../../src/projects/projects-service.js";
import type { Store } from "../../src/storage/store.js";
import { basicAuth } from "./gatehouse.js";

/**
 * Seeds a running Gatehouse through its API: organizations, members (by members.create), and sessions (by
 * real password logins). Passwords are set through the store with one argon2id hash computed by the bench
 * (the production parameters, so no login re-hashes), since setting 400 passwords through the API would
 * cost 400 hashes and a magic link each.
 */

export const BENCH_PASSWORD = "24k^&+sJwKN$30Tv-bench";
export const WRONG_PASSWORD = "not-the-password-42!";

export interface SeededMember {
  organization_id: string;
  member_id: string;
  email: string;
}

export interface SeededSession extends SeededMember {
  session_token: string;
  session_jwt: string;
}

export interface ApiSeed {
  organizations: { organization_id: string; domain: string }[];
  /** Members whose password the correct-password scenario uses (they also hold the sessions). */
  loginMembers: SeededMember[];
  /** Members the wrong-password scenario uses (never the same as loginMembers). */
  wrongMembers: SeededMember[];
  sessions: SeededSession[];
}

export class ApiClient {
  constructor(
    readonly url: string,
    readonly credentials: ProjectCredentials,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: basicAuth(this.credentials),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as T };
  }

  async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, json } = await this.call<T>(method, path, body);
    if (status !== 200) throw new Error(`${method} ${path} answered ${status}: ${JSON.stringify(json)}`);
    return json;
  }
}

/** Runs `work` over `items` with at most `concurrency` at a time. */
export async function pool<T, R>(items: T[], concurrency: number, work: (item: T, i: number) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i] as T, i);
      }
    }),
  );
  return results;
}

export async function createOrganization(api: ApiClient, i: number, tag: string) {
  const domain = `o${i}-${tag}.bench.example`;
  const { organization } = await api.ok<{ organization: { organization_id: string } }>(
    "POST",
    "/v1/b2b/organizations",
    {
      organization_name: `Bench org ${i} ${tag}`,
      organization_slug: `bench-${tag}-${i}`,
      email_allowed_domains: [domain],
      email_jit_provisioning: "RESTRICTED",
    },
  );
  return { organization_id: organization.organization_id, domain };
}

export async function seedThroughApi(
  api: ApiClient,
  store: Store,
  passwordHash: string,
  sizes: { organizations: number; loginMembers: number; wrongMembers: number },
): Promise<ApiSeed> {
  const tag = Math.random().toString(36).slice(2, 8);
  const organizations = await pool(
    Array.from({ length: sizes.organizations }, (_, i) => i),
    4,
    (i) => createOrganization(api, i, tag),
  );
  const makeMembers = (count: number, prefix: string) =>
    pool(
      Array.from({ length: count }, (_, i) => i),
      8,
      async (i): Promise<SeededMember> => {
        const org = organizations[i % organizations.length]!;
        const email = `${prefix}${i}@${org.domain}`;
        const { member } = await api.ok<{ member: { member_id: string } }>(
          "POST",
          `/v1/b2b/organizations/${org.organization_id}/members`,
          { email_address: email, name: `${prefix} ${i}` },
        );
        return { organization_id: org.organization_id, member_id: member.member_id, email };
      },
    );
  const loginMembers = await makeMembers(sizes.loginMembers, "login");
  const wrongMembers = await makeMembers(sizes.wrongMembers, "wrong");
  const now = Date.now();
  for (const m of [...loginMembers, ...wrongMembers]) {
    await store.members.updateMember(
      m.member_id,
      {
        password_hash: passwordHash,
        member_password_id: `member-password-test-${crypto.randomUUID()}`,
        status: "active",
        email_address_verified: true,
      },
      now,
    );
  }
  // One real login per member: the sessions the session scenarios check.
  const sessions = await pool(loginMembers, 4, async (m): Promise<SeededSession> => {
    const auth = await api.ok<{ session_token: string; session_jwt: string }>(
      "POST",
      "/v1/b2b/passwords/authenticate",
      {
        organization_id: m.organization_id,
        email_address: m.email,
        password: BENCH_PASSWORD,
        session_duration_minutes: 60 * 24,
      },
    );
    return { ...m, session_token: auth.session_token, session_jwt: auth.session_jwt };
  });
  return { organizations, loginMembers, wrongMembers, sessions };
}
