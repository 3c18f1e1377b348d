import type { AuthDeps } from "../auth-deps.js";
import { sha256Hex } from "../crypto/random.js";
import { AuthError } from "../errors/auth-error.js";
import { ADMIN_ROLE, type Member } from "../members/member.js";
import { newMember } from "../members/members-service.js";
import { allowsAuthMethod, allowsEmailJit, type Organization } from "../organizations/organization.js";
import type { CreateOrganizationInput } from "../organizations/organizations-service.js";
import type { Project } from "../projects/project.js";
import { assertSessionDuration } from "../sessions/session.js";
import type { IssuedSession } from "../sessions/sessions-service.js";
import type { Store } from "../storage/store.js";
import { type DiscoveredOrganization, discoverOrganizations, satisfies } from "./discovered-organizations.js";
import { createDiscoveryMagicLinks } from "./discovery-magic-links.js";
import {
  type IntermediateSession,
  sessionFactorOf,
  usableFactors,
  verifiesEmail,
} from "./intermediate-session.js";
import { derivedOrganizationName } from "./organization-name.js";

/** SessionParams-lite: discovery never extends an existing session. */
export interface DiscoverySessionParams {
  session_duration_minutes?: number;
  session_custom_claims?: Record<string, unknown>;
}

export interface ListInput {
  intermediate_session_token?: string;
  session_token?: string;
  session_jwt?: string;
}

export interface CreateInput extends DiscoverySessionParams, Partial<CreateOrganizationInput> {
  intermediate_session_token: string;
}

export interface ExchangeInput extends DiscoverySessionParams {
  intermediate_session_token: string;
  organization_id: string;
}

/**
 * Factor types a member session carries into discovery listings of other organizations: only those that
 * proved the mailbox (a password is one organization's secret and says nothing about another).
 */
const TRANSFERABLE_FACTORS = new Set(["magic_link"]);

/**
 * Discovery: finding the organizations an email address belongs to or may join, through an intermediate
 * session (IST) proven by a discovery magic link or, with cross-org passwords, by the person's password
 * (src/passwords/passwords-discovery.ts), then creating an organization or exchanging the IST for a member
 * session (docs/stytch-b2b-api.md §5.3, §5.4, §5.6).
 *
 * What an IST may do depends on its usable factors (usableFactors): only a factor that proved the mailbox may
 * found an organization, JIT-join one, or list the organizations the address may join by email domain; a
 * cross-org password proves the person to every organization where the address already is a member.
 */
export function createDiscoveryService(deps: AuthDeps) {
  const { store, clock } = deps;

  /** The live IST a token names (not consumed), or 404 intermediate_session_not_found. */
  async function liveSession(project: Project, token: string): Promise<IntermediateSession> {
    const found = await store.discovery.findIntermediateSession(
      project.project_id,
      sha256Hex(token),
      clock.now(),
    );
    if (!found) throw new AuthError("intermediate_session_not_found");
    return found;
  }

  /** Consumes the IST inside `tx`: exactly one concurrent caller gets it, and a rollback gives it back. */
  async function consume(tx: Store, project: Project, token: string): Promise<IntermediateSession> {
    const consumed = await tx.discovery.consumeIntermediateSession(
      project.project_id,
      sha256Hex(token),
      clock.now(),
    );
    if (!consumed) throw new AuthError("intermediate_session_not_found");
    return consumed;
  }

  /**
   * Runs `work` and starts the member session in one transaction, holding every usable IST factor the
   * organization allows for the member, then signs the JWT after the commit (signing inside a SQLite
   * transaction would deadlock on the root store).
   */
  async function finish(
    project: Project,
    work: (tx: Store) => Promise<{ organization: Organization; member: Member; ist: IntermediateSession }>,
    params: DiscoverySessionParams,
  ): Promise<IssuedSession> {
    const grant = await store.transaction(async (tx) => {
      const { organization, member, ist } = await work(tx);
      const now = clock.now();
      const factors = usableFactors(project, ist)
        .filter((f) => allowsAuthMethod(organization, f.type, member.is_breakglass))
        .map((f) => sessionFactorOf(f, member, now));
      // The callers checked this already; kept so no session can ever start without a factor.
      if (factors.length === 0) throw new AuthError("insufficient_factors_for_session_exchange");
      return deps.sessionsFor(tx).start(project, organization, member, factors, params);
    });
    return deps.sessions.complete(project, grant);
  }

  return {
    ...createDiscoveryMagicLinks(deps),

    /**
     * discovery/organizations: exactly one of an IST (all membership types, including organizations the
     * address may join) or a member session (memberships only). Consumes nothing.
     */
    async list(
      project: Project,
      input: ListInput,
    ): Promise<{ email_address: string; discovered_organizations: DiscoveredOrganization[] }> {
      const given = [input.intermediate_session_token, input.session_token, input.session_jwt].filter(
        (v) => v !== undefined && v !== "",
      );
      if (given.length !== 1) throw new AuthError("too_many_discovery_arguments");
      if (input.intermediate_session_token) {
        const ist = await liveSession(project, input.intermediate_session_token);
        const factors = usableFactors(project, ist);
        return {
          email_address: ist.email_address,
          discovered_organizations: await discoverOrganizations(
            store,
            project.project_id,
            ist.email_address,
            {
              factorTypes: factors.map((f) => f.type),
              // Joining by email domain needs a proven mailbox, so only then is it offered.
              includeEligible: factors.some(verifiesEmail),
            },
          ),
        };
      }
      const grant = await deps.sessions.resolve(project, input);
      const email = grant.member.email_address;
      return {
        email_address: email,
        discovered_organizations: await discoverOrganizations(store, project.project_id, email, {
          factorTypes: grant.session.authentication_factors
            .map((f) => f.type)
            .filter((t) => TRANSFERABLE_FACTORS.has(t)),
          includeEligible: false,
          sessionOrganizationId: grant.session.organization_id,
        }),
      };
    },

    /**
     * discovery/organizations/create: a new organization whose first member is the IST's address, active,
     * email verified, with stytch_admin; the IST is consumed and a session issued in the same transaction, so
     * a failure (slug taken, bad settings) leaves the IST usable and no organization behind.
     */
    async createOrganization(project: Project, input: CreateInput): Promise<IssuedSession> {
      assertSessionDuration(input.session_duration_minutes);
      const {
        intermediate_session_token: token,
        session_duration_minutes,
        session_custom_claims,
        ...settings
      } = input;
      // Read first (not consumed) to derive the name and slug from the address outside the transaction.
      const live = await liveSession(project, token);
      const factors = usableFactors(project, live);
      // A new organization is founded on the address alone: a password proves no mailbox.
      if (!factors.some(verifiesEmail)) throw new AuthError("insufficient_factors_for_session_exchange");
      const derived = await derivedOrganizationName(store, project, live.email_address);
      // Validated (settings, name, slug) before anything is consumed; stored inside the transaction.
      const organization = deps.organizations.build(project, {
        ...settings,
        organization_name: settings.organization_name ?? derived.name,
        organization_slug: settings.organization_slug ?? derived.slug,
      });
      if (
        !satisfies(
          organization,
          factors.map((f) => f.type),
          false,
        )
      ) {
        throw new AuthError("operation_restricted_by_organization_auth_methods");
      }

      return finish(
        project,
        async (tx) => {
          const ist = await consume(tx, project, token);
          // Written through the transaction's store, so it rolls back with the rest.
          await tx.organizations.insertOrganization(organization);
          const member: Member = {
            ...newMember(project, organization, ist.email_address, "active", clock.now(), {
              roles: [ADMIN_ROLE],
            }),
            email_address_verified: true,
          };
          await tx.members.insertMember(member);
          return { organization, member, ist };
        },
        { session_duration_minutes, session_custom_claims },
      );
    },

    /**
     * discovery/intermediate_sessions/exchange: a member session in the named organization for the IST's
     * address. An active, pending or invited member is activated (its email marked verified when a usable
     * factor proved the mailbox); an address the organization lets join by email JIT becomes a new active
     * member, but only with a factor that proved the mailbox (a password IST is 400
     * insufficient_factors_for_session_exchange there). A member deleted from the organization is 400
     * inactive_member; any other address is 400 invalid_intermediate_session_token_for_organization. A refusal
     * leaves the IST usable.
     */
    async exchange(project: Project, input: ExchangeInput): Promise<IssuedSession> {
      assertSessionDuration(input.session_duration_minutes);
      const organization = await deps.organizations.get(project, input.organization_id);
      return finish(
        project,
        async (tx) => {
          const ist = await consume(tx, project, input.intermediate_session_token);
          const email = ist.email_address;
          const existing = await tx.members.findMemberByEmail(organization.organization_id, email);
          // A live member sorts first; a deleted one is not let back in by itself (as in login_or_signup).
          if (existing?.status === "deleted") throw new AuthError("inactive_member");
          if (!existing && !allowsEmailJit(organization, email)) {
            throw new AuthError("invalid_intermediate_session_token_for_organization");
          }
          const factors = usableFactors(project, ist);
          const mailbox = factors.some(verifiesEmail);
          // JIT provisioning admits a stranger on the strength of the address alone (Stytch requires an
          // email-verifying factor); an IST without usable factors (a password IST after cross-org passwords
          // were turned off) proves nothing anywhere.
          if ((!existing && !mailbox) || factors.length === 0) {
            throw new AuthError("insufficient_factors_for_session_exchange");
          }
          const factorTypes = factors.map((f) => f.type);
          if (!satisfies(organization, factorTypes, existing?.is_breakglass ?? false)) {
            throw new AuthError("operation_restricted_by_organization_auth_methods");
          }
          const now = clock.now();
          let member: Member;
          if (existing) {
            member = await tx.members.updateMember(
              existing.member_id,
              { status: "active", ...(mailbox ? { email_address_verified: true } : {}) },
              now,
            );
          } else {
            member = {
              ...newMember(project, organization, email, "active", now),
              email_address_verified: true,
            };
            await tx.members.insertMember(member);
          }
          return { organization, member, ist };
        },
        {
          session_duration_minutes: input.session_duration_minutes,
          session_custom_claims: input.session_custom_claims,
        },
      );
    },
  };
}

export type DiscoveryService = ReturnType<typeof createDiscoveryService>;
