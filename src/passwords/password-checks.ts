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
import { checkStrength, exceedsPasswordLimits } from "./strength.js";

/**
 * The checks every password route shares: credential verification with lockout, the strength policy, and
 * storing a new hash. Used by passwords-service.ts (login, resets) and password-migrate.ts.
 */
export function createPasswordChecks(deps: AuthDeps) {
  const { store, clock, hasher } = deps;
  // A hash of a random password, verified against when the member is unknown or has no password, so every
  // failed login costs one argon2 verification (EN-2: no timing difference reveals which emails exist).
  const dummyHash = hasher.hash(newEmailToken());

  return {
    /**
     * Email + password against an organization. Unknown email, no password, deleted member and wrong password
     * are one answer: 401 unauthorized_credentials, after one hash verification in every case; a wrong password
     * counts toward the member's lock. A locked member gets 429 user_lock_limit_reached (Stytch's documented
     * behaviour) without its password being checked. Returns the member whose password matched.
     */
    async verifyCredentials(
      project: Project,
      organization: Organization,
      emailAddress: string,
      password: string,
    ): Promise<Member & { password_hash: string }> {
      const email = normalizeEmail(emailAddress);
      const member = await store.members.findMemberByEmail(organization.organization_id, email);
      const now = clock.now();
      const usable = member && member.status !== "deleted" && member.password_hash !== null ? member : null;
      // No stored password can be longer than the creation limit, so a longer one is wrong without hashing
      // it (a 256 KB body would otherwise go to argon2). The answer is the same for every account.
      if (exceedsPasswordLimits(password)) throw new AuthError("unauthorized_credentials");

      if (usable && isLocked(usable, now)) {
        await hasher.verify(await dummyHash, password);
        throw lockedError(usable, now);
      }
      const ok = await hasher.verify(usable?.password_hash ?? (await dummyHash), password);
      if (!usable || !ok) {
        if (usable) {
          const { max_failed_attempts, lock_duration_minutes } = project.settings.lockout;
          const after = await store.members.recordFailedAuth(
            usable.member_id,
            max_failed_attempts,
            now,
            now + lock_duration_minutes * MINUTE_MS,
          );
          if (isLocked(after, now))
            deps.log.warn({ member_id: after.member_id }, "member locked after failed logins");
        }
        throw new AuthError("unauthorized_credentials");
      }
      return usable as Member & { password_hash: string };
    },

    /** Throws weak_password (with the reasons) unless the password passes the project's policy. */
    assertStrong(project: Project, password: string, member: Member, organization: Organization): void {
      const result = checkStrength(
        password,
        project.settings.password_policy,
        contextWords(member, organization),
      );
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
    },

    /** Stores a new password hash: keeps or creates the member_password_id, ends any lock. */
    async storePassword(
      tx: Store,
      member: Member,
      hash: string,
      extra: Partial<Member>,
      now: number,
    ): Promise<Member> {
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
  };
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
