import type { Member } from "../members/member.js";
import { allowsAuthMethod, emailDomain, type Organization } from "../organizations/organization.js";
import type { Store } from "../storage/store.js";

/** How an address relates to an organization (docs/stytch-b2b-api.md §4.6). */
export type MembershipType =
  | "active_member"
  | "pending_member"
  | "invited_member"
  | "eligible_to_join_by_email_domain";

/** One entry of `discovered_organizations`, before presentation. */
export interface DiscoveredOrganization {
  readonly organization: Organization;
  readonly membership: {
    readonly type: MembershipType;
    readonly member: Member | null;
    /** `{domain}` for domain eligibility; null for memberships. */
    readonly details: Record<string, unknown> | null;
  };
  /** An active member whose proven factors satisfy the organization: exchange gives a full session. */
  readonly member_authenticated: boolean;
  /** The organization's allowed methods, when none of the proven factors is one of them. */
  readonly primary_required: { readonly allowed_auth_methods: string[] } | null;
}

export interface DiscoveryOptions {
  /** Factor types the caller has proven for this address (e.g. "magic_link"). */
  readonly factorTypes: readonly string[];
  /** List organizations the address may join by email domain (with an IST; not with a member session). */
  readonly includeEligible: boolean;
  /** The organization of the member session used to list, whose member is authenticated by definition. */
  readonly sessionOrganizationId?: string;
}

const MEMBERSHIP_TYPES = {
  active: "active_member",
  pending: "pending_member",
  invited: "invited_member",
} as const;

/**
 * Every organization of the project the address belongs to (active, pending or invited member), then, when
 * asked, those it may join by email domain (docs/decisions.md, Discovery). Reads only: nothing is consumed.
 */
export async function discoverOrganizations(
  store: Store,
  projectId: string,
  email: string,
  options: DiscoveryOptions,
): Promise<DiscoveredOrganization[]> {
  const found: DiscoveredOrganization[] = [];
  // Organizations where the address has a member row, deleted ones included: a deleted member is not let
  // back in by email-domain JIT (as in login_or_signup), so such an organization is not offered either.
  const known = new Set<string>();
  for (const key of await store.discovery.membershipsOf(projectId, email)) {
    known.add(key.organization_id);
    if (key.status === "deleted") continue;
    const member = await store.members.findMemberInProject(projectId, key.member_id);
    const organization = await store.organizations.findOrganization(projectId, key.organization_id);
    if (!member || !organization || member.status === "deleted") continue;
    const satisfied =
      organization.organization_id === options.sessionOrganizationId ||
      satisfies(organization, options.factorTypes, member.is_breakglass);
    found.push({
      organization,
      membership: { type: MEMBERSHIP_TYPES[member.status], member, details: null },
      member_authenticated: member.status === "active" && satisfied,
      primary_required: satisfied ? null : { allowed_auth_methods: organization.allowed_auth_methods },
    });
  }
  if (!options.includeEligible) return found;

  const domain = emailDomain(email);
  for (const organizationId of await store.discovery.organizationsAllowingDomain(projectId, domain)) {
    if (known.has(organizationId)) continue;
    const organization = await store.organizations.findOrganization(projectId, organizationId);
    if (!organization || !eligibleByEmailDomain(organization, email)) continue;
    const satisfied = satisfies(organization, options.factorTypes, false);
    found.push({
      organization,
      membership: { type: "eligible_to_join_by_email_domain", member: null, details: { domain } },
      member_authenticated: false,
      primary_required: satisfied ? null : { allowed_auth_methods: organization.allowed_auth_methods },
    });
  }
  return found;
}

/**
 * Whether discovery offers the organization to a stranger with this address: only an organization that opted
 * into email-domain JIT (RESTRICTED) for exactly this domain. An ALL_ALLOWED organization still lets the
 * address join when named (as login_or_signup does), but is never listed: listing it would show every such
 * organization of the project to anyone with any mailbox.
 */
export function eligibleByEmailDomain(organization: Organization, email: string): boolean {
  return (
    organization.email_jit_provisioning === "RESTRICTED" &&
    organization.email_allowed_domains.includes(emailDomain(email))
  );
}

/** Whether any of the proven factor types is a primary method the organization allows for this member. */
export function satisfies(
  organization: Organization,
  factorTypes: readonly string[],
  breakglass: boolean,
): boolean {
  return factorTypes.some((type) => allowsAuthMethod(organization, type, breakglass));
}
