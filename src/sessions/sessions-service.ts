import { newId } from "../crypto/ids.js";
import type { ServerKey } from "../crypto/server-key.js";
import { deriveSessionToken, newTokenSalt, sessionTokenHash } from "../crypto/session-token.js";
import { AuthError } from "../errors/auth-error.js";
import { effectiveRoles, type Member } from "../members/member.js";
import type { MembersStore } from "../members/members-store.js";
import { allowsAuthMethod, type Organization } from "../organizations/organization.js";
import type { OrganizationsStore } from "../organizations/organizations-store.js";
import type { Project } from "../projects/project.js";
import { type AuthorizationCheck, authorize } from "../rbac/authorize.js";
import { type Clock, MINUTE_MS } from "../shared/clock.js";
import type { Store } from "../storage/store.js";
import {
  type AuthenticationFactor,
  assertSessionDuration,
  DEFAULT_SESSION_MINUTES,
  type MemberSession,
  mergeCustomClaims,
} from "./session.js";
import { mintSessionJwt, verifySessionJwtIgnoringExpiry } from "./session-jwt.js";
import type { LiveSession, SessionsStore } from "./sessions-store.js";
import type { SigningKeys } from "./signing-keys.js";

export interface SessionsServiceDeps {
  store: {
    sessions: SessionsStore;
    members: MembersStore;
    organizations: OrganizationsStore;
    transaction: Store["transaction"];
  };
  keys: SigningKeys;
  serverKey: ServerKey;
  clock: Clock;
}

/** Inputs every primary-auth endpoint accepts to create or extend a session (§5 SessionParams). */
export interface SessionParams {
  session_token?: string;
  session_jwt?: string;
  session_duration_minutes?: number;
  session_custom_claims?: Record<string, unknown>;
}

/** A session written to the store, with its member and org: what a transaction produces. */
export interface SessionGrant {
  session: MemberSession;
  member: Member;
  organization: Organization;
}

/** The member and organization a revocation targets, given to its authorization guard. */
export interface RevokeTarget {
  organization_id: string;
  member_id: string;
}

/** A grant plus its token and a fresh JWT: what the wire needs. Made after the transaction commits. */
export interface IssuedSession extends SessionGrant {
  session_token: string;
  session_jwt: string;
}

export function createSessionsService(deps: SessionsServiceDeps) {
  const { store, keys, serverKey, clock } = deps;

  /**
   * Adds the token and the JWT for the grant as it stands now (signed now, or the same bytes remembered from
   * this second: SigningKeys.signJwt) to a grant. Runs outside any transaction: signing needs the
   * project's keys (read through the root store) and should not hold a write lock while it works.
   */
  async function complete(
    project: Project,
    grant: SessionGrant,
    presentedToken?: string,
  ): Promise<IssuedSession> {
    const { session, member, organization } = grant;
    return {
      ...grant,
      // A token the caller presented and the store matched by its hash is this session's token: no need to
      // derive it again.
      session_token:
        presentedToken ?? deriveSessionToken(serverKey, session.member_session_id, session.token_salt),
      session_jwt: await mintSessionJwt(
        keys,
        project,
        organization,
        session,
        effectiveRoles(member),
        clock.now(),
      ),
    };
  }

  /** The live session a token or JWT names (exactly one must be given), or session_not_found. */
  async function findSession(
    project: Project,
    input: { session_token?: string; session_jwt?: string },
  ): Promise<MemberSession> {
    if (input.session_token && input.session_jwt) throw new AuthError("too_many_session_arguments");
    const now = clock.now();
    let session: MemberSession | null = null;
    if (input.session_token) {
      // Malformed tokens are refused before they reach the database (CS-7).
      if (!/^[A-Za-z0-9_-]{20,128}$/.test(input.session_token)) throw new AuthError("session_not_found");
      session = await store.sessions.findByTokenHash(
        project.project_id,
        sessionTokenHash(input.session_token),
        now,
      );
    } else if (input.session_jwt) {
      const claims = await verifySessionJwtIgnoringExpiry(keys, project, input.session_jwt);
      session = await store.sessions.findById(project.project_id, claims.sessionId, now);
      if (session && session.member_id !== claims.memberId) session = null;
    } else {
      throw new AuthError("no_session_arguments");
    }
    if (!session) throw new AuthError("session_not_found");
    return session;
  }

  /**
   * Session plus its (non-deleted) member and org, in one indexed query; a session whose member is gone is not
   * found. This is the hot path of sessions/authenticate.
   */
  async function resolve(
    project: Project,
    input: { session_token?: string; session_jwt?: string },
  ): Promise<{ session: MemberSession; member: Member; organization: Organization }> {
    if (input.session_token && input.session_jwt) throw new AuthError("too_many_session_arguments");
    const now = clock.now();
    let live: LiveSession | null = null;
    if (input.session_token) {
      // Malformed tokens are refused before they reach the database (CS-7).
      if (!/^[A-Za-z0-9_-]{20,128}$/.test(input.session_token)) throw new AuthError("session_not_found");
      live = await store.sessions.findLive(
        project.project_id,
        { tokenHash: sessionTokenHash(input.session_token) },
        now,
      );
    } else if (input.session_jwt) {
      const claims = await verifySessionJwtIgnoringExpiry(keys, project, input.session_jwt);
      live = await store.sessions.findLive(project.project_id, { sessionId: claims.sessionId }, now);
      if (live && live.session.member_id !== claims.memberId) live = null;
    } else {
      throw new AuthError("no_session_arguments");
    }
    if (!live || live.member.status === "deleted") throw new AuthError("session_not_found");
    return live;
  }

  /** Writes an access (and optional extension and claims) to a resolved session. */
  async function touch(
    grant: SessionGrant,
    input: Pick<SessionParams, "session_duration_minutes" | "session_custom_claims">,
  ): Promise<SessionGrant> {
    assertSessionDuration(input.session_duration_minutes);
    const now = clock.now();
    const minutes = input.session_duration_minutes;
    // The wire carries last_accessed_at in whole seconds (§3.5 of the reference), so a second write within the
    // same second would store a value no reader can tell apart: skipped. This keeps a session that an app
    // checks from several calls at once to one recorded access per second.
    if (minutes === undefined && input.session_custom_claims === undefined) {
      if (Math.floor(grant.session.last_accessed_at / 1000) === Math.floor(now / 1000)) return grant;
      // A plain access is written behind (SessionAccessLog): the check does not wait for a disk flush.
      store.sessions.recordAccess(grant.session.member_session_id, now);
      return { ...grant, session: { ...grant.session, last_accessed_at: now } };
    }
    const session: MemberSession = {
      ...grant.session,
      last_accessed_at: now,
      expires_at: minutes === undefined ? grant.session.expires_at : now + minutes * MINUTE_MS,
      custom_claims: mergeCustomClaims(grant.session.custom_claims, input.session_custom_claims),
    };
    if (!(await store.sessions.updateSession(session))) throw new AuthError("session_not_found");
    return { ...grant, session };
  }

  /** Writes a new session holding `factors`. Safe inside a transaction. */
  async function start(
    project: Project,
    organization: Organization,
    member: Member,
    factors: AuthenticationFactor[],
    params: SessionParams,
  ): Promise<SessionGrant> {
    assertSessionDuration(params.session_duration_minutes);
    const now = clock.now();
    const session: MemberSession = {
      member_session_id: newId("member-session", project.environment),
      project_id: project.project_id,
      organization_id: organization.organization_id,
      member_id: member.member_id,
      token_salt: newTokenSalt(),
      started_at: now,
      last_accessed_at: now,
      expires_at: now + (params.session_duration_minutes ?? DEFAULT_SESSION_MINUTES) * MINUTE_MS,
      authentication_factors: factors,
      custom_claims: mergeCustomClaims({}, params.session_custom_claims),
    };
    const token = deriveSessionToken(serverKey, session.member_session_id, session.token_salt);
    await store.sessions.insertSession(session, sessionTokenHash(token));
    return { session, member, organization };
  }

  return {
    resolve,
    complete,
    touch,
    start,

    /**
     * The live session a primary-auth call presents (session_token / session_jwt) to attach its new factor to,
     * or null when none is presented. Call it before the transaction: verifying a JWT reads the signing keys.
     */
    async presentedSession(project: Project, params: SessionParams): Promise<MemberSession | null> {
      if (!params.session_token && !params.session_jwt) return null;
      return findSession(project, params);
    },

    /**
     * Starts a session for a member who just proved `factor`, or, when the caller presented a live session of
     * the same member (see presentedSession), adds the factor to that session and extends it (Stytch attaches
     * factors to the presented session; one of another member is ignored). Safe inside a transaction.
     */
    async issue(
      project: Project,
      organization: Organization,
      member: Member,
      factor: AuthenticationFactor,
      params: SessionParams,
      presented: MemberSession | null,
    ): Promise<SessionGrant> {
      assertSessionDuration(params.session_duration_minutes);
      const now = clock.now();
      const existing = presented?.member_id === member.member_id ? presented : null;
      const minutes = params.session_duration_minutes;
      if (existing) {
        const factors = existing.authentication_factors.filter(
          (f) => !(f.type === factor.type && f.delivery_method === factor.delivery_method),
        );
        const updated: MemberSession = {
          ...existing,
          last_accessed_at: now,
          expires_at: minutes === undefined ? existing.expires_at : now + minutes * MINUTE_MS,
          authentication_factors: [...factors, factor],
          custom_claims: mergeCustomClaims(existing.custom_claims, params.session_custom_claims),
        };
        if (!(await store.sessions.updateSession(updated))) throw new AuthError("session_not_found");
        return { session: updated, member, organization };
      }
      return start(project, organization, member, [factor], params);
    },

    /**
     * sessions/authenticate: checks the session on the server (the authority on revocation, even for a JWT
     * that still verifies locally), bumps last_accessed_at, extends it only when a duration is given, merges
     * custom claims, and always answers with a JWT issued now (iat = this second).
     */
    async authenticate(
      project: Project,
      input: SessionParams & { authorization_check?: Partial<AuthorizationCheck> },
    ): Promise<IssuedSession & { verdict: { authorized: true; granting_roles: string[] } | null }> {
      assertSessionDuration(input.session_duration_minutes);
      const check = input.authorization_check;
      if (check !== undefined && !isCheck(check)) throw new AuthError("invalid_authorization_check");
      const grant = await resolve(project, input);
      // A refused check leaves the session untouched: no access is recorded, no lifetime extended.
      const granting = check ? authorize(grant, check) : null;
      const issued = await complete(project, await touch(grant, input), input.session_token);
      return { ...issued, verdict: granting ? { authorized: true, granting_roles: granting } : null };
    },

    /**
     * sessions/exchange: moves a person from their session's organization into another one where the same
     * email is already a member (active, invited or pending; never JIT-created here). Only factors that prove
     * the email address (magic links, delivery "email") carry over, with their original times, and only if the
     * target organization allows that method; a password is per-organization knowledge and never carries
     * (insufficient_factors_for_session_exchange). The target member becomes active with a verified email (an
     * invite is accepted this way). The presented session stays valid; the new one is independent.
     */
    async exchange(
      project: Project,
      input: SessionParams & { organization_id: string },
    ): Promise<IssuedSession> {
      assertSessionDuration(input.session_duration_minutes);
      const current = await resolve(project, input);
      const target = await store.organizations.findOrganization(project.project_id, input.organization_id);
      if (!target) throw new AuthError("organization_not_found");
      const member = await store.members.findMemberByEmail(
        target.organization_id,
        current.member.email_address,
      );
      if (!member || member.status === "deleted")
        throw new AuthError("member_does_not_exist_in_organization");
      const carried = current.session.authentication_factors.filter((factor) => {
        const method = EMAIL_FACTOR_METHODS.get(factor.type);
        return (
          factor.delivery_method === "email" &&
          factor.email_factor?.email_address === member.email_address &&
          method !== undefined &&
          allowsAuthMethod(target, method, member.is_breakglass)
        );
      });
      if (carried.length === 0) throw new AuthError("insufficient_factors_for_session_exchange");
      const grant = await store.transaction(async (tx) => {
        // Re-read inside the transaction: the member may have been deleted since the check above.
        const fresh = await tx.members.findMemberInProject(project.project_id, member.member_id);
        if (!fresh || fresh.status === "deleted")
          throw new AuthError("member_does_not_exist_in_organization");
        const joined =
          fresh.status === "active" && fresh.email_address_verified
            ? fresh
            : await tx.members.updateMember(
                fresh.member_id,
                { status: "active", email_address_verified: true },
                clock.now(),
              );
        return createSessionsService({ ...deps, store: tx }).start(project, target, joined, carried, input);
      });
      return complete(project, grant);
    },

    /** Revokes one session (by id, token or JWT) or every session of a member. Exactly one input. */
    async revoke(
      project: Project,
      input: { member_session_id?: string; session_token?: string; session_jwt?: string; member_id?: string },
      guard: (target: RevokeTarget) => Promise<unknown> = async () => {},
    ): Promise<void> {
      const given = [input.member_session_id, input.session_token, input.session_jwt, input.member_id].filter(
        (v) => v !== undefined && v !== "",
      );
      if (given.length === 0) throw new AuthError("no_session_revoke_arguments");
      if (given.length > 1) throw new AuthError("too_many_session_revoke_arguments");
      if (input.member_id) {
        const member = await store.members.findMemberInProject(project.project_id, input.member_id);
        if (!member) throw new AuthError("member_not_found");
        await guard({ organization_id: member.organization_id, member_id: member.member_id });
        await store.sessions.deleteMemberSessions(member.member_id);
        return;
      }
      const session = input.member_session_id
        ? await store.sessions.findById(project.project_id, input.member_session_id, clock.now())
        : await findSession(project, input);
      if (!session) throw new AuthError("session_not_found");
      await guard({ organization_id: session.organization_id, member_id: session.member_id });
      const deleted = await store.sessions.deleteSession(project.project_id, session.member_session_id);
      if (deleted === 0) throw new AuthError("session_not_found");
    },

    /** The member's live sessions (GET /v1/b2b/sessions). */
    async list(project: Project, organizationId: string, memberId: string) {
      const organization = await store.organizations.findOrganization(project.project_id, organizationId);
      if (!organization) throw new AuthError("organization_not_found");
      const member = await store.members.findMember(organization.organization_id, memberId);
      if (!member || member.status === "deleted") throw new AuthError("member_not_found");
      const sessions = await store.sessions.listLive(member.member_id, clock.now());
      return { sessions, member, organization };
    },

    jwks(projectId: string) {
      return keys.jwks(projectId);
    },

    /** Deletes the member's sessions but `keepSessionId` (password resets: RC-9). */
    revokeMemberSessions(memberId: string, keepSessionId?: string): Promise<number> {
      return store.sessions.deleteMemberSessions(memberId, keepSessionId);
    },
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;

/** Factor types proven by email delivery, and the org auth method each one is. */
const EMAIL_FACTOR_METHODS: ReadonlyMap<string, string> = new Map([
  ["magic_link", "magic_link"],
  ["otp", "email_otp"],
]);

function isCheck(value: Partial<AuthorizationCheck>): value is AuthorizationCheck {
  return [value.organization_id, value.resource_id, value.action].every(
    (field) => typeof field === "string" && field.length > 0,
  );
}
