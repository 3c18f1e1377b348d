import type { AuthDeps } from "../auth-deps.js";

/**
 * Discovery: finding the organizations an email address belongs to or may join, through an intermediate
 * session (IST) proven by a discovery magic link or a cross-org password, then creating an organization or
 * exchanging the IST for a member session (docs/stytch-b2b-api.md §5.3, §5.6).
 */
export function createDiscoveryService(deps: AuthDeps) {
  void deps;
  return {};
}

export type DiscoveryService = ReturnType<typeof createDiscoveryService>;
