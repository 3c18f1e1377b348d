import { randomBytes } from "node:crypto";
import type { B2BClient } from "stytch";
import type { TestServer } from "./harness.js";
import { tokenFrom } from "./smtp.js";

/**
 * Small builders shared by the integration tests: unique names, an organization that lets its domain join,
 * an active member with a session (magic link), and one with a password. Everything goes through the SDK.
 */

/** A short random suffix, so every test uses its own slugs and addresses. */
export function uniq(): string {
  return randomBytes(4).toString("hex");
}

export const STRONG_PASSWORD = "24k^&+sJwKN$30Tv";

export interface TestOrg {
  organization_id: string;
  organization_slug: string;
  domain: string;
}

/** An organization whose domain (a unique example.com subdomain) may join by email JIT provisioning. */
export async function createOrg(client: B2BClient, name = "Org"): Promise<TestOrg> {
  const id = uniq();
  const domain = `d${id}.example.com`;
  const { organization } = await client.organizations.create({
    organization_name: `${name} ${id}`,
    organization_slug: `org-${id}`,
    email_allowed_domains: [domain],
    email_jit_provisioning: "RESTRICTED",
  });
  return {
    organization_id: organization.organization_id,
    organization_slug: organization.organization_slug,
    domain,
  };
}

export interface ActiveMember {
  organization_id: string;
  member_id: string;
  email: string;
  session_token: string;
  session_jwt: string;
  member_session_id: string;
}

/** Signs a new address up by magic link and redeems it: an active member with a fresh session. */
export async function activeMember(
  server: TestServer,
  org: TestOrg,
  options: { client?: B2BClient; local?: string } = {},
): Promise<ActiveMember> {
  const client = options.client ?? server.client;
  const email = `${options.local ?? `m${uniq()}`}@${org.domain}`;
  const before = server.smtp.messages.filter((m) => m.to.includes(email)).length;
  await client.magicLinks.email.loginOrSignup({ organization_id: org.organization_id, email_address: email });
  const mail = await server.smtp.waitFor(email, { after: before });
  const auth = await client.magicLinks.authenticate({
    magic_links_token: tokenFrom(mail, "multi_tenant_magic_links"),
  });
  return {
    organization_id: org.organization_id,
    member_id: auth.member_id,
    email,
    session_token: auth.session_token,
    session_jwt: auth.session_jwt,
    member_session_id: auth.member_session!.member_session_id,
  };
}

/** An active member whose password is `password`, set through passwords.sessions.reset. */
export async function memberWithPassword(
  server: TestServer,
  org: TestOrg,
  password = STRONG_PASSWORD,
): Promise<ActiveMember & { password: string }> {
  const member = await activeMember(server, org);
  const set = await server.client.passwords.sessions.reset({
    organization_id: org.organization_id,
    password,
    session_token: member.session_token,
  });
  return { ...member, session_jwt: set.session_jwt, password };
}

/** The decoded header and payload of a compact JWS (no verification). */
export function decodeJwt(jwt: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [h, p] = jwt.split(".");
  const part = (s: string | undefined) =>
    JSON.parse(Buffer.from(s ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  return { header: part(h), payload: part(p) };
}

/** How many captured emails went to `email`. */
export function mailCount(server: TestServer, email: string): number {
  return server.smtp.messages.filter((m) => m.to.includes(email.toLowerCase())).length;
}
