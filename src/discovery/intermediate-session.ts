import type { Member } from "../members/member.js";
import type { Project } from "../projects/project.js";
import type { AuthenticationFactor } from "../sessions/session.js";
import { MINUTE_MS, rfc3339 } from "../shared/clock.js";

/**
 * An intermediate session (IST): proof of the person behind an email address (control of the mailbox, or
 * their cross-org password), not yet tied to any member or organization (docs/stytch-b2b-api.md §5.3, §5.4,
 * §5.6). Only the SHA-256 of its token is stored; it is bound to
 * its project and address, lives 10 minutes, and is consumed by the call that turns it into a member session
 * or a new organization, so it can be used for that once.
 */
export interface IntermediateSession {
  readonly token_hash: string;
  readonly project_id: string;
  /** Normalised address the factors proved. */
  readonly email_address: string;
  readonly authentication_factors: IntermediateSessionFactor[];
  readonly created_at: number;
  readonly expires_at: number;
  readonly consumed_at: number | null;
}

/**
 * A factor the IST holds: how the person was proven, and when. A link delivered by email (a discovery magic
 * link, or the link of a cross-org password reset) proves the mailbox; a cross-org password proves the person
 * who set it, and only while the project has cross-org passwords on (usableFactors).
 */
export type IntermediateSessionFactor =
  | { readonly type: "magic_link"; readonly delivery_method: "email"; readonly authenticated_at: number }
  | { readonly type: "password"; readonly delivery_method: "knowledge"; readonly authenticated_at: number };

/** Stytch's IST lifetime ([C] §8.1). */
export const INTERMEDIATE_SESSION_MS = 10 * MINUTE_MS;

/** Factor types that prove control of the mailbox now: only these may found an organization or JIT-join one. */
export function verifiesEmail(factor: IntermediateSessionFactor): boolean {
  return factor.type === "magic_link";
}

/** A new, unused IST for `email` holding `factors`, stored under the SHA-256 of its token. */
export function newIntermediateSession(
  projectId: string,
  tokenHash: string,
  email: string,
  factors: IntermediateSessionFactor[],
  now: number,
): IntermediateSession {
  return {
    token_hash: tokenHash,
    project_id: projectId,
    email_address: email,
    authentication_factors: factors,
    created_at: now,
    expires_at: now + INTERMEDIATE_SESSION_MS,
    consumed_at: null,
  };
}

/**
 * The IST's factors that prove anything in this project now. A password factor counts only while cross-org
 * passwords are on: an IST minted before the setting was turned off must not carry a password, which from then
 * on belongs to one organization, into others.
 */
export function usableFactors(
  project: Pick<Project, "settings">,
  ist: Pick<IntermediateSession, "authentication_factors">,
): IntermediateSessionFactor[] {
  return ist.authentication_factors.filter(
    (f) => f.type !== "password" || project.settings.cross_org_passwords,
  );
}

/** The factor a member session gets from an IST factor: when it was proven, and for which of the member's emails. */
export function sessionFactorOf(
  factor: IntermediateSessionFactor,
  member: Pick<Member, "email_id" | "email_address">,
  now: number,
): AuthenticationFactor {
  return {
    type: factor.type,
    delivery_method: factor.delivery_method,
    last_authenticated_at: rfc3339(factor.authenticated_at),
    created_at: rfc3339(now),
    updated_at: rfc3339(now),
    email_factor: { email_id: member.email_id, email_address: member.email_address },
  };
}
