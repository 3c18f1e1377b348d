import type { DiscoveredOrganization } from "../discovery/discovered-organizations.js";
import type { DiscoveryResult } from "../discovery/discovery-magic-links.js";
import { rfc3339 } from "../shared/clock.js";
import { memberToWire, organizationToWire } from "./presenters.js";

/** DiscoveredOrganization (§4.6) on the wire: null for absent member, requirements and MFA (never required). */
export function discoveredOrganizationToWire(found: DiscoveredOrganization, now: number) {
  return {
    member_authenticated: found.member_authenticated,
    organization: organizationToWire(found.organization),
    membership: {
      type: found.membership.type,
      details: found.membership.details,
      member: found.membership.member ? memberToWire(found.membership.member, now) : null,
    },
    primary_required: found.primary_required,
    mfa_required: null,
  };
}

/** An IST with its discovered organizations (discovery magic links, cross-org passwords) on the wire. */
export function discoveryResultToWire(result: DiscoveryResult, now: number) {
  return {
    intermediate_session_token: result.intermediate_session_token,
    intermediate_session_token_expires_at: rfc3339(result.intermediate_session_token_expires_at),
    email_address: result.email_address,
    discovered_organizations: result.discovered_organizations.map((d) =>
      discoveredOrganizationToWire(d, now),
    ),
  };
}
