import type { DiscoveredOrganization } from "../discovery/discovered-organizations.js";
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
