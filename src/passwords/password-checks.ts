import type { AuthDeps } from "../auth-deps.js";
import { newId } from "../crypto/ids.js";
import { newEmailToken } from "../crypto/random.js";
import { AuthError } from "../errors/auth-error.js";
import { isLocked, type Member, normalizeEmail } from "../members/member.js";
import type { Organization } from "../organizations/organization.js";
import type { Project } from "../projects/project.js";
import { factorTimes } from "../sessions/session.js";
import { MINUTE_MS } from "../shared/clock.js";
import type { Store } from "../storage/store.js";
import {
  loadPerson,
  type Person,
  recordPersonSuccess,
  revokePersonSessions,
  storePersonPassword,
} from "./shared-password.js";
import { checkStrength, exceedsPasswordLimits } from "./strength.js";

/**
 * The checks every password route shares: credential verification with lockout, the strength policy, storing a
 * new hash and ending the sessions it replaces, in both password models (organization-scoped, or cross-org:
 * shared-password.ts). Used by passwords-service.ts, password-migrate.ts and passwords-discovery.ts.
 */
export function createPasswordChecks(deps: AuthDeps) {
  const { store, clock, hasher } = deps;
  // A hash of a random password, verified against when the member is unknown or has no password, so every
  // failed login costs one argon2 verification (EN-2: no timing difference reveals which emails exist).
  const dummyHash = hasher.hash(newEmailToken());

  /**
   * The one credential check. No password and a wrong one are the same 401 unauthorized_credentials, after
   * one hash verification in every case; a wrong password is counted by `countFailure` toward the lock. While
   * `locked` is set, 429 user_lock_limit_reached (Stytch's documented behaviour) without the password being
   * checked or counted.
   */
  async function check(
    project: Project,
    password: string,
    hash: string | null,
    locked: Member | null,
    countFailure: (now: number, lockUntil: number) => Promise<Member[]>,
  ): Promise<void> {
    // No stored password can be longer than the creation limit, so a longer one is wrong without hashing
    // it (a 256 KB body would otherwise go to argon2). The answer is the same for every account.
    if (exceedsPasswordLimits(password)) throw new AuthError("unauthorized_credentials");
    const now = clock.now();
    if (hash !== null && locked) {
      await hasher.verify(await dummyHash, password);
      throw lockedError(locked, now);
    }
    const ok = await hasher.verify(hash ?? (await dummyHash), password);
    if (hash !== null && ok) return;
    if (hash !== null) {
      const after = await countFailure(now, now + project.settings.lockout.lock_duration_minutes * MINUTE_MS);
      for (const member of after) {
        if (isLocked(member, now))
          deps.log.warn({ member_id: member.member_id }, "member locked after failed logins");
      }
    }
    throw new AuthError("unauthorized_credentials");
  }

  return {
    /**
     * Email + password against an organization. Unknown email, no password, deleted member and wrong password
     * are one answer (see `check`). With cross-org passwords the password, its failure count and its lock are
     * the person's (shared-password.ts): whichever organization it is presented to, a failure counts on every
     * member of the address, so guessing costs the same everywhere. Returns the member, with the password hash
     * that matched.
     */
    async verifyCredentials(
      project: Project,
      organization: Organization,
      emailAddress: string,
      password: string,
    ): Promise<Member & { password_hash: string }> {
      const email = normalizeEmail(emailAddress);
      const member = await store.members.findMemberByEmail(organization.organization_id, email);
      const live = member && member.status !== "deleted" ? member : null;
      const max = project.settings.lockout.max_failed_attempts;
      if (live && project.settings.cross_org_passwords) {
        const person = await loadPerson(store, project.project_id, email, clock.now());
        await check(project, password, person.password_hash, person.locked, (now, until) =>
          store.members.recordFailedAuthByEmail(project.project_id, email, max, now, until),
        );
        return { ...live, password_hash: person.password_hash as string };
      }
      await check(
        project,
        password,
        live?.password_hash ?? null,
        live && isLocked(live, clock.now()) ? live : null,
        async (now, until) => [await store.members.recordFailedAuth(live!.member_id, max, now, until)],
      );
      return live as Member & { password_hash: string };
    },

    /**
     * Email + password for the person, in no organization (passwords/discovery/authenticate; cross-org
     * passwords only): the same answers, timing and lock rules as verifyCredentials. Returns the person.
     */
    async verifyPerson(
      project: Project,
      email: string,
      password: string,
    ): Promise<Person & { password_hash: string }> {
      const person = await loadPerson(store, project.project_id, email, clock.now());
      const max = project.settings.lockout.max_failed_attempts;
      await check(project, password, person.password_hash, person.locked, (now, until) =>
        store.members.recordFailedAuthByEmail(project.project_id, email, max, now, until),
      );
      return person as Person & { password_hash: string };
    },

    /**
     * After a correct login: clears the failure streak and any lock, and replaces an outdated or imported hash
     * (`rehash`), only when needed; with cross-org passwords on every member of the address. Returns the member.
     */
    async recordSuccess(
      tx: Store,
      project: Project,
      member: Member & { password_hash: string },
      rehash: string | null,
      now: number,
    ): Promise<Member> {
      if (project.settings.cross_org_passwords) {
        const rows = await recordPersonSuccess(
          tx,
          project,
          member.email_address,
          member.password_hash,
          rehash,
          now,
        );
        return rows?.find((m) => m.member_id === member.member_id) ?? member;
      }
      if (member.failed_auth_count === 0 && member.lock_expires_at === null && !rehash) return member;
      return tx.members.updateMember(
        member.member_id,
        {
          failed_auth_count: 0,
          lock_created_at: null,
          lock_expires_at: null,
          ...(rehash ? { password_hash: rehash } : {}),
        },
        now,
      );
    },

    /** Throws weak_password (with the reasons) unless the password passes the project's policy. */
    async assertStrong(
      project: Project,
      password: string,
      member: Member,
      organization: Organization,
    ): Promise<void> {
      await assertStrongWith(project, password, contextWords(member, organization));
    },

    /** assertStrong for a person's cross-org password: the context words are the address's only. */
    async assertStrongForEmail(project: Project, password: string, email: string): Promise<void> {
      await assertStrongWith(project, password, emailWords(email));
    },

    /**
     * Stores a new password hash: keeps or creates the member_password_id, ends any lock, and invalidates the
     * member's outstanding reset links. With cross-org passwords the hash becomes the person's, on every
     * member of the address (shared-password.ts); `extra` still applies to this member only.
     */
    async storePassword(
      tx: Store,
      project: Project,
      member: Member,
      hash: string,
      extra: Partial<Member>,
      now: number,
    ): Promise<Member> {
      if (project.settings.cross_org_passwords) {
        const rows = await storePersonPassword(tx, project, member.email_address, hash, {}, now);
        const own = rows.find((m) => m.member_id === member.member_id) ?? member;
        return Object.keys(extra).length > 0 ? tx.members.updateMember(member.member_id, extra, now) : own;
      }
      const updated = await tx.members.updateMember(
        member.member_id,
        {
          password_hash: hash,
          member_password_id: member.member_password_id ?? newId("member-password", projectEnv(member)),
          // A new password ends any lock and failure streak (AA-2, AA-5).
          failed_auth_count: 0,
          lock_created_at: null,
          lock_expires_at: null,
          ...extra,
        },
        now,
      );
      // Outstanding reset links die with the old password (ATK-28).
      await tx.emailTokens.invalidateMemberTokens(member.member_id, "password_reset", now);
      return updated;
    },

    /**
     * Ends the sessions a replaced password may have opened: the member's, or with cross-org passwords those
     * of every member of the address (the old password opened all of them). `keepSessionId` survives.
     */
    async revokeSessions(tx: Store, project: Project, member: Member, keepSessionId?: string): Promise<void> {
      if (project.settings.cross_org_passwords) {
        await revokePersonSessions(tx, project.project_id, member.email_address, keepSessionId);
      } else {
        await tx.sessions.deleteMemberSessions(member.member_id, keepSessionId);
      }
    },
  };
}

/** Throws weak_password (with the reasons) unless the password passes the project's policy. */
async function assertStrongWith(project: Project, password: string, words: string[]): Promise<void> {
  const result = await checkStrength(password, project.settings.password_policy, words);
  if (!result.valid_password) {
    const reason = result.breached_password
      ? "The password appears in a list of breached passwords."
      : result.strength_policy === "luds"
        ? "The password does not meet the project's length and character-class requirements."
        : result.zxcvbn_feedback.warning || "The password is too weak.";
    throw new AuthError("weak_password", {
      message: `${reason} Choose a different password.`,
      details: {
        breached_password: result.breached_password,
        score: result.score,
        zxcvbn_feedback: result.zxcvbn_feedback,
        luds_feedback: result.luds_feedback,
      },
    });
  }
}

export type PasswordChecks = ReturnType<typeof createPasswordChecks>;

export function lockedError(member: Member, now: number): AuthError {
  return new AuthError("user_lock_limit_reached", {
    retryAfterSeconds: Math.max(1, Math.ceil(((member.lock_expires_at ?? now) - now) / 1000)),
  });
}

/** The session factor a password proves: {type: "password", delivery_method: "knowledge"} (§5.4). */
export function passwordFactor(member: Member, now: number) {
  return {
    type: "password",
    delivery_method: "knowledge",
    ...factorTimes(now),
    email_factor: { email_id: member.email_id, email_address: member.email_address },
  };
}

export function projectEnv(member: Member): "test" | "live" {
  return member.member_id.startsWith("member-live-") ? "live" : "test";
}

/** Words a password must not be built from: the email, its local part, the org's name and slug (PW-7). */
function contextWords(member: Member, organization: Organization): string[] {
  return [
    ...emailWords(member.email_address),
    organization.organization_name,
    organization.organization_slug,
  ];
}

export function emailWords(email: string): string[] {
  const at = email.indexOf("@");
  return at > 0 ? [email, email.slice(0, at)] : [email];
}
