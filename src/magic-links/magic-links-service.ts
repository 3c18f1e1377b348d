import type { AuthDeps } from "../auth-deps.js";
import { newEmailToken, sha256Hex } from "../crypto/random.js";
import { sendEmail } from "../email/send.js";
import { magicLinkLoginEmail, magicLinkSignupEmail } from "../email/templates.js";
import { AuthError } from "../errors/auth-error.js";
import { type Member, normalizeEmail } from "../members/member.js";
import { newMember } from "../members/members-service.js";
import {
  allowsAuthMethod,
  allowsEmailJit,
  emailDomain,
  type Organization,
} from "../organizations/organization.js";
import type { Project } from "../projects/project.js";
import { buildEmailLink, resolveRedirectUrl } from "../projects/redirect-urls.js";
import { EMAILS_PER_RECIPIENT } from "../rate-limits/rate-limiter.js";
import { createSandbox } from "../sandbox/sandbox.js";
import { factorTimes } from "../sessions/session.js";
import type { SessionParams } from "../sessions/sessions-service.js";
import { linkMinutes, pkceChallenge } from "../shared/validation.js";
import { newEmailTokenRow } from "../tokens/email-token.js";
import { assertPkce } from "../tokens/pkce.js";
import { createInvite } from "./invite.js";

export interface LoginOrSignupInput {
  organization_id: string;
  email_address: string;
  login_redirect_url?: string;
  signup_redirect_url?: string;
  pkce_code_challenge?: string;
  login_expiration_minutes?: number;
  signup_expiration_minutes?: number;
}

export interface MagicLinkAuthenticateInput extends SessionParams {
  magic_links_token: string;
  pkce_code_verifier?: string;
}

const DEFAULT_LINK_MINUTES = 60;

export function createMagicLinksService(deps: AuthDeps) {
  const { store, clock } = deps;
  const sandbox = createSandbox(deps);

  return {
    invite: createInvite(deps),
    sandbox,

    /**
     * Sends a login email to an active member, or a signup email to a pending/invited member or to a new
     * address that the org lets join by JIT provisioning (creating it as `pending`).
     */
    async loginOrSignup(
      project: Project,
      input: LoginOrSignupInput,
    ): Promise<{ member: Member; member_created: boolean; organization: Organization }> {
      const sandboxed = await sandbox.emailSend(project, input);
      if (sandboxed) return sandboxed;
      const organization = await deps.organizations.get(project, input.organization_id);
      const email = normalizeEmail(input.email_address);
      const challenge = pkceChallenge(input.pkce_code_challenge);
      const loginMinutes = linkMinutes(input.login_expiration_minutes, DEFAULT_LINK_MINUTES);
      const signupMinutes = linkMinutes(input.signup_expiration_minutes, DEFAULT_LINK_MINUTES);

      await deps.rateLimiter.consume(EMAILS_PER_RECIPIENT, `${project.project_id}:${email}`);
      const existing = await store.members.findMemberByEmail(organization.organization_id, email);
      if (existing?.status === "deleted") throw new AuthError("inactive_member");
      if (!existing && !allowsEmailJit(organization, email)) {
        throw new AuthError("invalid_email_for_jit_provisioning", {
          details: {
            email_jit_provisioning: organization.email_jit_provisioning,
            email_domain: emailDomain(email),
            email_allowed_domains: organization.email_allowed_domains,
          },
        });
      }
      if (!allowsAuthMethod(organization, "magic_link", existing?.is_breakglass ?? false)) {
        throw new AuthError("operation_restricted_by_organization_auth_methods");
      }
      const isLogin = existing?.status === "active";
      const redirect = isLogin
        ? await resolveRedirectUrl(store.projects, project.project_id, "login", input.login_redirect_url)
        : await resolveRedirectUrl(store.projects, project.project_id, "signup", input.signup_redirect_url);

      const now = clock.now();
      const minutes = isLogin ? loginMinutes : signupMinutes;
      const token = newEmailToken();
      const member = await store.transaction(async (tx) => {
        const member = existing ?? newMember(project, organization, email, "pending", now);
        if (!existing) await tx.members.insertMember(member);
        await tx.emailTokens.insertToken(
          newEmailTokenRow(token, {
            project_id: project.project_id,
            kind: "magic_link",
            purpose: isLogin ? "login" : "signup",
            organization_id: organization.organization_id,
            member_id: member.member_id,
            email_address: email,
            pkce_challenge: challenge,
            now,
            minutes,
          }),
        );
        return member;
      });

      const link = buildEmailLink(redirect, {
        slug: organization.organization_slug,
        tokenType: "multi_tenant_magic_links",
        token,
      });
      const template = isLogin ? magicLinkLoginEmail : magicLinkSignupEmail;
      await sendEmail(
        deps,
        project,
        email,
        template({ organizationName: organization.organization_name, link, expiresInMinutes: minutes }),
      );
      return { member, member_created: !existing, organization };
    },

    /**
     * Redeems a magic link: consumes the token atomically, activates the member and verifies its email, and
     * starts (or extends) a session with a magic_link factor, all in one transaction.
     */
    async authenticate(project: Project, input: MagicLinkAuthenticateInput) {
      const sandboxed = await sandbox.authenticate(project, input);
      if (sandboxed) return sandboxed;
      const hash = sha256Hex(input.magic_links_token);
      const found = await store.emailTokens.findToken(project.project_id, "magic_link", hash);
      if (!found) throw new AuthError("magic_link_not_found");
      assertPkce(found.pkce_challenge, input.pkce_code_verifier);
      const presented = await deps.sessions.presentedSession(project, input);

      const grant = await store.transaction(async (tx) => {
        const now = clock.now();
        const result = await tx.emailTokens.consumeToken(project.project_id, "magic_link", hash, now);
        if (result.status === "not_found") throw new AuthError("magic_link_not_found");
        if (result.status !== "consumed") throw new AuthError("unable_to_auth_magic_link");
        const token = result.token;
        const member = await tx.members.findMemberInProject(project.project_id, token.member_id);
        const organization = await tx.organizations.findOrganization(
          project.project_id,
          token.organization_id,
        );
        // The link is bound to the member, org and address it was sent for (RC-5, ATK-29).
        if (
          !member ||
          !organization ||
          member.status === "deleted" ||
          member.email_address !== token.email_address
        ) {
          throw new AuthError("unable_to_auth_magic_link");
        }
        if (!allowsAuthMethod(organization, "magic_link", member.is_breakglass)) {
          throw new AuthError("operation_restricted_by_organization_auth_methods");
        }
        const active = await tx.members.updateMember(
          member.member_id,
          { status: "active", email_address_verified: true },
          now,
        );
        const factor = {
          type: "magic_link",
          delivery_method: "email",
          ...factorTimes(now),
          email_factor: { email_id: active.email_id, email_address: active.email_address },
        };
        return deps.sessionsFor(tx).issue(project, organization, active, factor, input, presented);
      });
      return { ...(await deps.sessions.complete(project, grant)), method_id: grant.member.email_id };
    },
  };
}

export type MagicLinksService = ReturnType<typeof createMagicLinksService>;
