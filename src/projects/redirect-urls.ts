import { AuthError } from "../errors/auth-error.js";
import type { ErrorType } from "../errors/codes.js";
import type { RedirectUrlType } from "./project.js";
import type { ProjectsStore } from "./projects-store.js";

const ERRORS: Record<RedirectUrlType, { missing: ErrorType; invalid: ErrorType }> = {
  login: { missing: "no_login_redirect_urls_set", invalid: "invalid_login_redirect_url" },
  signup: { missing: "no_signup_redirect_urls_set", invalid: "invalid_signup_redirect_url" },
  invite: { missing: "no_invite_redirect_urls_set", invalid: "invalid_invite_redirect_url" },
  discovery: { missing: "no_discovery_redirect_urls_set", invalid: "invalid_discovery_redirect_url" },
  reset_password: {
    missing: "no_password_reset_redirect_url",
    invalid: "invalid_password_reset_redirect_url",
  },
};

/**
 * The URL an emailed link points at. A URL given in the request must match a registered URL of that type
 * exactly (scheme, host, port, path and query: API-4); an omitted one means the type's default. Links are
 * never built from request headers (RC-8).
 */
export async function resolveRedirectUrl(
  store: ProjectsStore,
  projectId: string,
  type: RedirectUrlType,
  requested: string | undefined,
): Promise<string> {
  const found = await store.findRedirectUrl(projectId, type, requested ?? null);
  if (!found) throw new AuthError(requested === undefined ? ERRORS[type].missing : ERRORS[type].invalid);
  return found.url;
}

/**
 * For an optional second link (a reset email's "log in without a password"): a URL the caller names must be
 * registered, but when none is named and the type has no default, there is simply no link (null).
 */
export async function resolveOptionalRedirectUrl(
  store: ProjectsStore,
  projectId: string,
  type: RedirectUrlType,
  requested: string | undefined,
): Promise<string | null> {
  if (requested !== undefined) return resolveRedirectUrl(store, projectId, type, requested);
  return (await store.findRedirectUrl(projectId, type, null))?.url ?? null;
}

/**
 * Appends Stytch's query parameters to a registered URL, keeping any query it already has (§8.3). Discovery
 * links name no organization, so they carry no slug.
 */
export function buildEmailLink(
  redirectUrl: string,
  params:
    | { slug: string; tokenType: "multi_tenant_magic_links" | "multi_tenant_passwords"; token: string }
    | { tokenType: "discovery"; token: string },
): string {
  // Slugs ([A-Za-z0-9._~-]) and tokens (base64url plus "=") need no escaping in a query value, so the token
  // appears exactly as the API later expects it, "=" pad included.
  const hash = redirectUrl.indexOf("#");
  const base = hash === -1 ? redirectUrl : redirectUrl.slice(0, hash);
  const fragment = hash === -1 ? "" : redirectUrl.slice(hash);
  const separator = base.includes("?") ? (base.endsWith("?") || base.endsWith("&") ? "" : "&") : "?";
  const slug = "slug" in params ? `slug=${encodeURIComponent(params.slug)}&` : "";
  const query = `${slug}stytch_token_type=${params.tokenType}&token=${params.token}`;
  return `${base}${separator}${query}${fragment}`;
}
