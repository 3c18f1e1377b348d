import type { AuthDeps } from "../auth-deps.js";
import { newEmailToken, newSessionToken, sha256Hex } from "../crypto/random.js";
import { discoverOrganizations } from "../discovery/discovered-organizations.js";
import type { DiscoveryResult } from "../discovery/discovery-magic-links.js";
import {
  type IntermediateSession,
  type IntermediateSessionFactor,
  newIntermediateSession,
  usableFactors,
  verifiesEmail,
} from "../discovery/intermediate-session.js";
import { sendEmail } from "../email/send.js";
import { discoveryPasswordResetEmail } from "../email/templates.js";
import { AuthError } from "../errors/auth-error.js";
import { type Member, normalizeEmail } from "../members/member.js";
import type { Organization } from "../organizations/organization.js";
import type { Project } from "../projects/project.js";
import { buildEmailLink, resolveOptionalRedirectUrl, resolveRedirectUrl } from "../projects/redirect-urls.js";
import { EMAILS_PER_RECIPIENT } from "../rate-limits/rate-limiter.js";
import { MINUTE_MS } from "../shared/clock.js";
import { linkMinutes, pkceChallenge } from "../shared/validation.js";
import type { Store } from "../storage/store.js";
import { assertPkce } from "../tokens/pkce.js";
import type { PasswordChecks } from "./password-checks.js";
import {
  assertCrossOrg,
  clearPersonPassword,
  recordPersonSuccess,
  revokePersonSessions,
  storePersonPassword,
} from "./shared-password.js";
import { isBreached } from "./strength.js";

const DEFAULT_RESET_MINUTES = 30;
const DEFAULT_LOGIN_LINK_MINUTES = 60;
const RESET_KIND = "discovery_password_reset";

export interface DiscoveryResetStartInput {
  email_address: string;
  reset_password_redirect_url?: string;
  discovery_redirect_url?: string;
  reset_password_expiration_minutes?: number;
  pkce_code_challenge?: string;
}

export interface DiscoveryResetInput {
  password_reset_token: string;
  password: string;
  pkce_code_verifier?: string;
}

export interface RequireResetInput {
  email_address: string;
  organization_id?: string;
  member_id?: string;
}

/** Whose password passwords/email/require_reset clears, and the organization and member the caller named. */
export interface RequireResetTarget {
  readonly email: string;
  readonly organization: Organization | null;
  readonly member: Member | null;
}

/**
 * The cross-org password routes (docs/stytch-b2b-api.md §5.4, §7.3): passwords/discovery/authenticate,
 * passwords/discovery/email/reset/start and …/reset, and passwords/email/require_reset. Each answers 400
 * cross_org_passwords_not_enabled unless the project has the setting on. The password is the person's
 * (shared-password.ts); proving it yields an intermediate session (IST) with a password factor, which the
 * discovery routes turn into a session in any organization where the address is a member.
 */
export function createCrossOrgPasswords(deps: AuthDeps, checks: PasswordChecks) {
  const { store, clock, hasher } = deps;

  /** Stores a new IST for `email` inside `tx`; only its SHA-256 is kept. */
  async function insertIst(
    tx: Store,
    project: Project,
    token: string,
    email: string,
    factors: IntermediateSessionFactor[],
    now: number,
  ): Promise<IntermediateSession> {
    const ist = newIntermediateSession(project.project_id, sha256Hex(token), email, factors, now);
    await tx.discovery.insertIntermediateSession(ist);
    return ist;
  }

  /** The IST and the organizations it can enter (read after the commit). */
  async function result(project: Project, token: string, ist: IntermediateSession): Promise<DiscoveryResult> {
    const factors = usableFactors(project, ist);
    return {
      intermediate_session_token: token,
      intermediate_session_token_expires_at: ist.expires_at,
      email_address: ist.email_address,
      discovered_organizations: await discoverOrganizations(store, project.project_id, ist.email_address, {
        factorTypes: factors.map((f) => f.type),
        includeEligible: factors.some(verifiesEmail),
      }),
    };
  }

  return {
    /**
     * passwords/discovery/authenticate: the person's password, with the same answers, timing and lock rules as
     * passwords/authenticate (an unknown address costs one dummy argon2 verification and gets the same 401); a
     * correct but breached password is 401 member_reset_password. Success clears the person's failure streaks,
     * replaces an outdated hash, and returns an IST holding a password factor.
     */
    async authenticate(
      project: Project,
      input: { email_address: string; password: string },
    ): Promise<DiscoveryResult> {
      assertCrossOrg(project);
      const email = normalizeEmail(input.email_address);
      const person = await checks.verifyPerson(project, email, input.password);
      if (
        project.settings.password_policy.breach_check_on_authentication &&
        (await isBreached(input.password))
      ) {
        throw new AuthError("member_reset_password");
      }
      const rehash = hasher.needsRehash(person.password_hash) ? await hasher.hash(input.password) : null;
      const token = newSessionToken();
      const ist = await store.transaction(async (tx) => {
        const now = clock.now();
        await recordPersonSuccess(tx, project, email, person.password_hash, rehash, now);
        const factor = { type: "password", delivery_method: "knowledge", authenticated_at: now } as const;
        return insertIst(tx, project, token, email, [factor], now);
      });
      return result(project, token, ist);
    },

    /**
     * passwords/discovery/email/reset/start: emails a single-use reset link
     * (`<reset URL>?stytch_token_type=discovery&token=…`, kind discovery_password_reset, bound to the project
     * and address) and, when a discovery URL is given or has a default, a discovery magic link to log in
     * instead. The per-address email limit is counted first and the redirect URLs are checked before any
     * member is looked up; an address with no live member in the project gets the same 200 and no email (EN-1).
     */
    async resetStart(project: Project, input: DiscoveryResetStartInput): Promise<void> {
      assertCrossOrg(project);
      const email = normalizeEmail(input.email_address);
      // Counted before any validation or look-up, so probing which addresses exist costs what sending does.
      await deps.rateLimiter.consume(EMAILS_PER_RECIPIENT, `${project.project_id}:${email}`);
      const minutes = linkMinutes(input.reset_password_expiration_minutes, DEFAULT_RESET_MINUTES);
      const challenge = pkceChallenge(input.pkce_code_challenge);
      const resetUrl = await resolveRedirectUrl(
        store.projects,
        project.project_id,
        "reset_password",
        input.reset_password_redirect_url,
      );
      const loginUrl = await resolveOptionalRedirectUrl(
        store.projects,
        project.project_id,
        "discovery",
        input.discovery_redirect_url,
      );
      const members = await store.members.findLiveMembersByEmail(project.project_id, email);
      if (members.length === 0) return;

      const now = clock.now();
      const resetToken = newEmailToken();
      const loginToken = loginUrl ? newEmailToken() : null;
      const row = (token: string, lifetime: number, pkce: string | null) => ({
        token_hash: sha256Hex(token),
        project_id: project.project_id,
        email_address: email,
        pkce_challenge: pkce,
        created_at: now,
        expires_at: now + lifetime * MINUTE_MS,
        consumed_at: null,
      });
      await store.transaction(async (tx) => {
        await tx.emailTokens.insertDiscoveryToken(row(resetToken, minutes, challenge), RESET_KIND);
        if (loginToken) {
          await tx.emailTokens.insertDiscoveryToken(row(loginToken, DEFAULT_LOGIN_LINK_MINUTES, null));
        }
      });
      await sendEmail(
        deps,
        project,
        email,
        discoveryPasswordResetEmail({
          appName: project.name,
          link: buildEmailLink(resetUrl, { tokenType: "discovery", token: resetToken }),
          loginLink:
            loginUrl && loginToken
              ? buildEmailLink(loginUrl, { tokenType: "discovery", token: loginToken })
              : null,
          expiresInMinutes: minutes,
        }),
      );
    },

    /**
     * passwords/discovery/email/reset: redeems the link and sets the person's password on every member of the
     * address, marks their addresses verified, revokes all their sessions and invalidates every other reset
     * link of the address, in one transaction with the token's consumption; returns an IST holding a password
     * factor and the mailbox proof of the link (a magic_link/email factor). Unknown, used or expired tokens,
     * and an address whose members are all gone, are 401 unable_to_auth_password_reset_token; a weak password
     * is refused before the token is consumed, so it can be retried.
     */
    async reset(project: Project, input: DiscoveryResetInput): Promise<DiscoveryResult> {
      assertCrossOrg(project);
      const tokenHash = sha256Hex(input.password_reset_token);
      const found = await store.emailTokens.findDiscoveryToken(project.project_id, tokenHash, RESET_KIND);
      if (!found) throw new AuthError("unable_to_auth_password_reset_token");
      assertPkce(found.pkce_challenge, input.pkce_code_verifier);
      const email = found.email_address;
      const members = await store.members.findLiveMembersByEmail(project.project_id, email);
      if (members.length === 0) throw new AuthError("unable_to_auth_password_reset_token");
      await checks.assertStrongForEmail(project, input.password, email);
      const hash = await hasher.hash(input.password);
      const token = newSessionToken();
      const ist = await store.transaction(async (tx) => {
        const now = clock.now();
        const consumed = await tx.emailTokens.consumeDiscoveryToken(
          project.project_id,
          tokenHash,
          now,
          RESET_KIND,
        );
        if (consumed.status !== "consumed") throw new AuthError("unable_to_auth_password_reset_token");
        await storePersonPassword(tx, project, email, hash, { email_address_verified: true }, now);
        await revokePersonSessions(tx, project.project_id, email);
        return insertIst(
          tx,
          project,
          token,
          email,
          [
            { type: "password", delivery_method: "knowledge", authenticated_at: now },
            { type: "magic_link", delivery_method: "email", authenticated_at: now },
          ],
          now,
        );
      });
      return result(project, token, ist);
    },

    /**
     * The target of passwords/email/require_reset: the address, and the organization (id, slug or external id;
     * else `sessionOrganizationId`, the organization of a member session authorizing the call) and member
     * (member_id, or external id within the organization) named. A named member must be a live member with
     * this address; a named organization must have one. 404 member_not_found when the address has no live
     * member at all.
     */
    async locateRequireReset(
      project: Project,
      input: RequireResetInput,
      sessionOrganizationId?: string,
    ): Promise<RequireResetTarget> {
      assertCrossOrg(project);
      const email = normalizeEmail(input.email_address);
      const organizationKey = input.organization_id || sessionOrganizationId;
      let organization = organizationKey ? await deps.organizations.get(project, organizationKey) : null;
      let member: Member | null = null;
      if (input.member_id) {
        member = organization
          ? await store.members.findMember(organization.organization_id, input.member_id)
          : await store.members.findMemberInProject(project.project_id, input.member_id);
      } else if (organization) {
        member = await store.members.findMemberByEmail(organization.organization_id, email);
      }
      if (member && (member.status === "deleted" || member.email_address !== email)) member = null;
      if ((input.member_id || organization) && !member) throw new AuthError("member_not_found");
      if (!member && (await store.members.findLiveMembersByEmail(project.project_id, email)).length === 0) {
        throw new AuthError("member_not_found");
      }
      if (member && !organization)
        organization = await deps.organizations.get(project, member.organization_id);
      return { email, organization, member };
    },

    /**
     * passwords/email/require_reset: removes the person's password from every member of the address, so the
     * next login needs a reset (docs/decisions.md). Sessions are kept, as members.deletePassword keeps them.
     */
    async requireReset(project: Project, target: RequireResetTarget): Promise<RequireResetTarget> {
      assertCrossOrg(project);
      const rows = await clearPersonPassword(store, project.project_id, target.email, clock.now());
      const member = target.member
        ? (rows.find((m) => m.member_id === target.member?.member_id) ?? null)
        : null;
      return { ...target, member };
    },
  };
}

export type CrossOrgPasswords = ReturnType<typeof createCrossOrgPasswords>;
