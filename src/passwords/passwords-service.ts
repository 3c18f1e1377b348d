import type { AuthDeps } from "../auth-deps.js";
import { newId } from "../crypto/ids.js";
import { newEmailToken, sha256Hex } from "../crypto/random.js";
import { sendEmail } from "../email/send.js";
import { passwordResetEmail } from "../email/templates.js";
import { AuthError } from "../errors/auth-error.js";
import { isLocked, type Member, normalizeEmail } from "../members/member.js";
import { allowsAuthMethod, type Organization } from "../organizations/organization.js";
import type { Project } from "../projects/project.js";
import { buildEmailLink, resolveRedirectUrl } from "../projects/redirect-urls.js";
import { EMAILS_PER_RECIPIENT } from "../rate-limits/rate-limiter.js";
import { assertSessionDuration, factorTimes, RESET_FACTOR_MAX_AGE_MS } from "../sessions/session.js";
import type { SessionParams } from "../sessions/sessions-service.js";
import { MINUTE_MS } from "../shared/clock.js";
import { linkMinutes, pkceChallenge } from "../shared/validation.js";
import type { Store } from "../storage/store.js";
import { assertPkce } from "../tokens/pkce.js";
import { checkStrength, exceedsPasswordLimits, isBreached } from "./strength.js";

const DEFAULT_RESET_MINUTES = 30;
const DEFAULT_LOGIN_LINK_MINUTES = 60;

export function createPasswordsService(deps: AuthDeps) {
  const { store, clock, hasher } = deps;
  // A hash of a random password, verified against when the member is unknown or has no password, so every
  // failed login costs one argon2 verification (EN-2: no timing difference reveals which emails exist).
  const dummyHash = hasher.hash(newEmailToken());

  /** Throws weak_password (with the reasons) unless the password passes the project's policy. */
  function assertStrong(
    project: Project,
    password: string,
    member: Member,
    organization: Organization,
  ): void {
    const result = checkStrength(
      password,
      project.settings.password_policy,
      contextWords(member, organization),
    );
    if (!result.valid_password) {
      const reason = result.breached_password
        ? "The password appears in a list of breached passwords."
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

  /** Stores a new password hash: keeps or creates the member_password_id, verifies nothing else. */
  async function storePassword(tx: Store, member: Member, hash: string, extra: Partial<Member>, now: number) {
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
  }

  return {
    strengthCheck(project: Project, input: { password: string; email_address?: string }) {
      const words = input.email_address ? emailWords(input.email_address) : [];
      return checkStrength(input.password, project.settings.password_policy, words);
    },

    /**
     * Email + password login. Unknown email, no password, deleted member and wrong password are one answer:
     * 401 unauthorized_credentials, after one argon2 verification in every case. A locked member gets
     * 429 user_lock_limit_reached (Stytch's documented behaviour) without its password being checked.
     */
    async authenticate(
      project: Project,
      input: SessionParams & { organization_id: string; email_address: string; password: string },
    ) {
      assertSessionDuration(input.session_duration_minutes);
      const organization = await deps.organizations.get(project, input.organization_id);
      const email = normalizeEmail(input.email_address);
      const member = await store.members.findMemberByEmail(organization.organization_id, email);
      const now = clock.now();
      const usable = member && member.status !== "deleted" && member.password_hash !== null ? member : null;
      // No stored password can be longer than the creation limit, so a longer one is wrong without hashing
      // it (a 256 KB body would otherwise go to argon2). The answer is the same for every account.
      if (exceedsPasswordLimits(input.password)) throw new AuthError("unauthorized_credentials");

      if (usable && isLocked(usable, now)) {
        await hasher.verify(await dummyHash, input.password);
        throw lockedError(usable, now);
      }
      const ok = await hasher.verify(usable?.password_hash ?? (await dummyHash), input.password);
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
      if (!allowsAuthMethod(organization, "password", usable.is_breakglass)) {
        throw new AuthError("operation_restricted_by_organization_auth_methods");
      }
      // A correct password that is now known breached must be replaced before it is used (ASVS 2.1.7; Stytch).
      if (project.settings.password_policy.breach_check_on_authentication && isBreached(input.password)) {
        throw new AuthError("member_reset_password");
      }
      const rehash = hasher.needsRehash(usable.password_hash!) ? await hasher.hash(input.password) : null;
      const presented = await deps.sessions.presentedSession(project, input);
      const grant = await store.transaction(async (tx) => {
        let current = usable;
        if (usable.failed_auth_count > 0 || usable.lock_expires_at !== null || rehash) {
          current = await tx.members.updateMember(
            usable.member_id,
            {
              failed_auth_count: 0,
              lock_created_at: null,
              lock_expires_at: null,
              ...(rehash ? { password_hash: rehash } : {}),
            },
            now,
          );
        }
        return deps
          .sessionsFor(tx)
          .issue(project, organization, current, passwordFactor(current, now), input, presented);
      });
      return deps.sessions.complete(project, grant);
    },

    /**
     * Sets the password of the member whose session is presented; the session must hold a factor from the last
     * five minutes. Every other session of the member is revoked; the presented one survives.
     */
    async resetBySession(
      project: Project,
      input: SessionParams & { organization_id: string; password: string },
    ) {
      assertSessionDuration(input.session_duration_minutes);
      const { session, member, organization } = await deps.sessions.resolve(project, input);
      const requested = await deps.organizations.get(project, input.organization_id);
      if (requested.organization_id !== organization.organization_id)
        throw new AuthError("organization_id_mismatch");
      const now = clock.now();
      const fresh = session.authentication_factors.some(
        (f) => now - Date.parse(f.last_authenticated_at) <= RESET_FACTOR_MAX_AGE_MS,
      );
      if (!fresh) throw new AuthError("session_too_old_to_reset_password");
      if (!allowsAuthMethod(organization, "password", member.is_breakglass)) {
        throw new AuthError("operation_restricted_by_organization_auth_methods");
      }
      assertStrong(project, input.password, member, organization);
      const hash = await hasher.hash(input.password);
      const grant = await store.transaction(async (tx) => {
        const updated = await storePassword(tx, member, hash, {}, now);
        await tx.sessions.deleteMemberSessions(member.member_id, session.member_session_id);
        return deps.sessionsFor(tx).touch({ session, member: updated, organization }, input);
      });
      return deps.sessions.complete(project, grant);
    },

    /** Emails the member a single-use reset link (and, when possible, a magic link to log in instead). */
    async resetStart(
      project: Project,
      input: {
        organization_id: string;
        email_address: string;
        reset_password_redirect_url?: string;
        reset_password_expiration_minutes?: number;
        login_redirect_url?: string;
        code_challenge?: string;
      },
    ) {
      const organization = await deps.organizations.get(project, input.organization_id);
      const email = normalizeEmail(input.email_address);
      const minutes = linkMinutes(input.reset_password_expiration_minutes, DEFAULT_RESET_MINUTES);
      const challenge = pkceChallenge(input.code_challenge);
      // Counted before the member look-up, so probing which addresses exist is throttled like sending.
      await deps.rateLimiter.consume(EMAILS_PER_RECIPIENT, `${project.project_id}:${email}`);
      const member = await store.members.findMemberByEmail(organization.organization_id, email);
      if (!member || member.status === "deleted") throw new AuthError("member_not_found");
      if (!allowsAuthMethod(organization, "password", member.is_breakglass)) {
        throw new AuthError("operation_restricted_by_organization_auth_methods");
      }
      const resetUrl = await resolveRedirectUrl(
        store.projects,
        project.project_id,
        "reset_password",
        input.reset_password_redirect_url,
      );
      // The "log in without a password" link is a bonus: a missing default login URL only drops it, but a
      // URL the caller names must be registered.
      const loginUrl = await resolveRedirectUrl(
        store.projects,
        project.project_id,
        "login",
        input.login_redirect_url,
      ).catch((error: unknown) => {
        if (input.login_redirect_url !== undefined) throw error;
        return null;
      });
      const now = clock.now();
      const resetToken = newEmailToken();
      const loginToken =
        loginUrl && allowsAuthMethod(organization, "magic_link", member.is_breakglass)
          ? newEmailToken()
          : null;
      await store.transaction(async (tx) => {
        const base = {
          project_id: project.project_id,
          organization_id: organization.organization_id,
          member_id: member.member_id,
          email_address: email,
          created_at: now,
          consumed_at: null,
        };
        await tx.emailTokens.insertToken({
          ...base,
          token_hash: sha256Hex(resetToken),
          kind: "password_reset",
          purpose: "reset_password",
          pkce_challenge: challenge,
          expires_at: now + minutes * MINUTE_MS,
        });
        if (loginToken) {
          await tx.emailTokens.insertToken({
            ...base,
            token_hash: sha256Hex(loginToken),
            kind: "magic_link",
            purpose: member.status === "active" ? "login" : "signup",
            pkce_challenge: null,
            expires_at: now + DEFAULT_LOGIN_LINK_MINUTES * MINUTE_MS,
          });
        }
      });
      const slug = organization.organization_slug;
      await sendEmail(
        deps,
        project,
        email,
        passwordResetEmail({
          organizationName: organization.organization_name,
          link: buildEmailLink(resetUrl, { slug, tokenType: "multi_tenant_passwords", token: resetToken }),
          loginLink:
            loginUrl && loginToken
              ? buildEmailLink(loginUrl, { slug, tokenType: "multi_tenant_magic_links", token: loginToken })
              : null,
          expiresInMinutes: minutes,
        }),
      );
      return { member, organization };
    },

    /**
     * Redeems a reset token: sets the new password, verifies the email, ends every session of the member and
     * starts a new one. A weak password is refused before the token is consumed, so it can be retried.
     */
    async resetByEmail(
      project: Project,
      input: SessionParams & { password_reset_token: string; password: string; code_verifier?: string },
    ) {
      assertSessionDuration(input.session_duration_minutes);
      const tokenHash = sha256Hex(input.password_reset_token);
      const found = await store.emailTokens.findToken(project.project_id, "password_reset", tokenHash);
      if (!found) throw new AuthError("unable_to_auth_password_reset_token");
      assertPkce(found.pkce_challenge, input.code_verifier);
      const member = await store.members.findMemberInProject(project.project_id, found.member_id);
      const organization = await store.organizations.findOrganization(
        project.project_id,
        found.organization_id,
      );
      if (
        !member ||
        !organization ||
        member.status === "deleted" ||
        member.email_address !== found.email_address
      ) {
        throw new AuthError("unable_to_auth_password_reset_token");
      }
      assertStrong(project, input.password, member, organization);
      const hash = await hasher.hash(input.password);
      const grant = await store.transaction(async (tx) => {
        const now = clock.now();
        const consumed = await tx.emailTokens.consumeToken(
          project.project_id,
          "password_reset",
          tokenHash,
          now,
        );
        if (consumed.status !== "consumed") throw new AuthError("unable_to_auth_password_reset_token");
        const updated = await storePassword(
          tx,
          member,
          hash,
          { email_address_verified: true, status: member.status === "deleted" ? member.status : "active" },
          now,
        );
        await tx.sessions.deleteMemberSessions(member.member_id);
        // Every session of the member was just revoked, so the new one always starts fresh.
        return deps
          .sessionsFor(tx)
          .issue(project, organization, updated, passwordFactor(updated, now), input, null);
      });
      return deps.sessions.complete(project, grant);
    },
  };
}

export type PasswordsService = ReturnType<typeof createPasswordsService>;

function lockedError(member: Member, now: number): AuthError {
  return new AuthError("user_lock_limit_reached", {
    retryAfterSeconds: Math.max(1, Math.ceil(((member.lock_expires_at ?? now) - now) / 1000)),
  });
}

function passwordFactor(member: Member, now: number) {
  return {
    type: "password",
    delivery_method: "knowledge",
    ...factorTimes(now),
    email_factor: { email_id: member.email_id, email_address: member.email_address },
  };
}

function projectEnv(member: Member): "test" | "live" {
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

function emailWords(email: string): string[] {
  const at = email.indexOf("@");
  return at > 0 ? [email, email.slice(0, at)] : [email];
}
