import type { AuthDeps } from "../auth-deps.js";
import { newEmailToken, sha256Hex } from "../crypto/random.js";
import { sendEmail } from "../email/send.js";
import { passwordResetEmail } from "../email/templates.js";
import { AuthError } from "../errors/auth-error.js";
import { normalizeEmail } from "../members/member.js";
import { allowsAuthMethod } from "../organizations/organization.js";
import type { Project } from "../projects/project.js";
import { buildEmailLink, resolveOptionalRedirectUrl, resolveRedirectUrl } from "../projects/redirect-urls.js";
import { EMAILS_PER_RECIPIENT } from "../rate-limits/rate-limiter.js";
import { assertSessionDuration, RESET_FACTOR_MAX_AGE_MS } from "../sessions/session.js";
import type { SessionParams } from "../sessions/sessions-service.js";
import { linkMinutes, pkceChallenge } from "../shared/validation.js";
import { newEmailTokenRow } from "../tokens/email-token.js";
import { assertPkce } from "../tokens/pkce.js";
import { normalizePassword } from "./hasher.js";
import { createPasswordChecks, emailWords, passwordFactor } from "./password-checks.js";
import { type MigrateInput, migratePassword } from "./password-migrate.js";
import { createCrossOrgPasswords } from "./passwords-discovery.js";
import { checkStrength, isBreached } from "./strength.js";

const DEFAULT_RESET_MINUTES = 30;
const DEFAULT_LOGIN_LINK_MINUTES = 60;

export function createPasswordsService(deps: AuthDeps) {
  const { store, clock, hasher } = deps;
  const checks = createPasswordChecks(deps);
  const { assertStrong, storePassword } = checks;

  return {
    strengthCheck(project: Project, input: { password: string; email_address?: string }) {
      const words = input.email_address ? emailWords(input.email_address) : [];
      return checkStrength(input.password, project.settings.password_policy, words);
    },

    /**
     * Email + password login (credential and lock rules in password-checks.ts; with cross-org passwords the
     * person's password, shared-password.ts). A correct login clears the failure streak and replaces an
     * outdated or imported hash with today's argon2id.
     */
    async authenticate(
      project: Project,
      input: SessionParams & { organization_id: string; email_address: string; password: string },
    ) {
      assertSessionDuration(input.session_duration_minutes);
      const organization = await deps.organizations.get(project, input.organization_id);
      const usable = await checks.verifyCredentials(
        project,
        organization,
        input.email_address,
        input.password,
      );
      if (!allowsAuthMethod(organization, "password", usable.is_breakglass)) {
        throw new AuthError("operation_restricted_by_organization_auth_methods");
      }
      // A correct password that is now known breached must be replaced before it is used (ASVS 2.1.7; Stytch).
      if (
        project.settings.password_policy.breach_check_on_authentication &&
        (await isBreached(input.password))
      ) {
        throw new AuthError("member_reset_password");
      }
      // An older argon2 hash, or one imported by passwords/migrate, is replaced now that the password is known.
      const rehash = hasher.needsRehash(usable.password_hash) ? await hasher.hash(input.password) : null;
      const presented = await deps.sessions.presentedSession(project, input);
      const grant = await store.transaction(async (tx) => {
        const now = clock.now();
        const current = await checks.recordSuccess(tx, project, usable, rehash, now);
        return deps
          .sessionsFor(tx)
          .issue(project, organization, current, passwordFactor(current, now), input, presented);
      });
      return deps.sessions.complete(project, grant);
    },

    /**
     * passwords/existing_password/reset: the old password proves the member (a wrong one counts toward the lock
     * like a failed login), the new one must differ and pass the policy. Every session of the member (with
     * cross-org passwords, of every member of the address) is revoked and a new one starts with a password
     * factor.
     */
    async resetExisting(
      project: Project,
      input: SessionParams & {
        organization_id: string;
        email_address: string;
        existing_password: string;
        new_password: string;
      },
    ) {
      assertSessionDuration(input.session_duration_minutes);
      const organization = await deps.organizations.get(project, input.organization_id);
      const member = await checks.verifyCredentials(
        project,
        organization,
        input.email_address,
        input.existing_password,
      );
      if (!allowsAuthMethod(organization, "password", member.is_breakglass)) {
        throw new AuthError("operation_restricted_by_organization_auth_methods");
      }
      // Compared as the hasher sees them (NFKC), so a re-typed composition of the same password is "the same".
      if (normalizePassword(input.new_password) === normalizePassword(input.existing_password)) {
        throw new AuthError("cannot_reset_password_with_existing_password");
      }
      await assertStrong(project, input.new_password, member, organization);
      const hash = await hasher.hash(input.new_password);
      const grant = await store.transaction(async (tx) => {
        const now = clock.now();
        const updated = await storePassword(tx, project, member, hash, {}, now);
        await checks.revokeSessions(tx, project, member);
        return deps
          .sessionsFor(tx)
          .issue(project, organization, updated, passwordFactor(updated, now), input, null);
      });
      return deps.sessions.complete(project, grant);
    },

    /** The cross-org password routes: passwords/discovery/*, passwords/email/require_reset. */
    crossOrg: createCrossOrgPasswords(deps, checks),

    /** passwords/migrate (password-migrate.ts). */
    migrate: (project: Project, input: MigrateInput) => migratePassword(deps, checks, project, input),

    /**
     * Sets the password of the member whose session is presented; the session must hold a factor from the last
     * five minutes. Every other session of the member (with cross-org passwords, of every member of the
     * address) is revoked; the presented one survives.
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
      await assertStrong(project, input.password, member, organization);
      const hash = await hasher.hash(input.password);
      const grant = await store.transaction(async (tx) => {
        const updated = await storePassword(tx, project, member, hash, {}, now);
        await checks.revokeSessions(tx, project, member, session.member_session_id);
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
      const loginUrl = await resolveOptionalRedirectUrl(
        store.projects,
        project.project_id,
        "login",
        input.login_redirect_url,
      );
      const now = clock.now();
      const resetToken = newEmailToken();
      const loginToken =
        loginUrl && allowsAuthMethod(organization, "magic_link", member.is_breakglass)
          ? newEmailToken()
          : null;
      await store.transaction(async (tx) => {
        const bound = {
          project_id: project.project_id,
          organization_id: organization.organization_id,
          member_id: member.member_id,
          email_address: email,
          now,
        };
        await tx.emailTokens.insertToken(
          newEmailTokenRow(resetToken, {
            ...bound,
            kind: "password_reset",
            purpose: "reset_password",
            pkce_challenge: challenge,
            minutes,
          }),
        );
        if (loginToken) {
          await tx.emailTokens.insertToken(
            newEmailTokenRow(loginToken, {
              ...bound,
              kind: "magic_link",
              purpose: member.status === "active" ? "login" : "signup",
              minutes: DEFAULT_LOGIN_LINK_MINUTES,
            }),
          );
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
     * Redeems a reset token: sets the new password, verifies the email, ends every session of the member
     * (with cross-org passwords, of every member of the address) and starts a new one. A weak password is
     * refused before the token is consumed, so it can be retried.
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
      await assertStrong(project, input.password, member, organization);
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
          project,
          member,
          hash,
          { email_address_verified: true, status: member.status === "deleted" ? member.status : "active" },
          now,
        );
        await checks.revokeSessions(tx, project, member);
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
