import type { AuthDeps } from "../auth-deps.js";
import { newEmailToken } from "../crypto/random.js";
import { sendEmail } from "../email/send.js";
import { inviteEmail } from "../email/templates.js";
import { AuthError } from "../errors/auth-error.js";
import { explicitRoles, type Member, normalizeEmail } from "../members/member.js";
import { newMember } from "../members/members-service.js";
import { allowsAuthMethod, emailDomain, type Organization } from "../organizations/organization.js";
import type { Project } from "../projects/project.js";
import { buildEmailLink, resolveRedirectUrl } from "../projects/redirect-urls.js";
import { EMAILS_PER_RECIPIENT } from "../rate-limits/rate-limiter.js";
import { linkMinutes } from "../shared/validation.js";
import { newEmailTokenRow } from "../tokens/email-token.js";

export interface InviteInput {
  email_address: string;
  invite_redirect_url?: string;
  invited_by_member_id?: string;
  name?: string;
  trusted_metadata?: Record<string, unknown>;
  untrusted_metadata?: Record<string, unknown>;
  roles?: string[];
  invite_expiration_minutes?: number;
}

/** Stytch's invite lifetime: one week ([C] §8.1). */
const DEFAULT_INVITE_MINUTES = 10_080;

/**
 * magic_links/email/invite: makes the address an `invited` member of the organization (creating it, or moving a
 * `pending` one to `invited`) and emails it a single-use magic link (purpose "invite"), which
 * magic_links/authenticate redeems like any other, activating the member. The organization is resolved (and
 * the caller authorized) by the route.
 */
export function createInvite(deps: AuthDeps) {
  const { store, clock } = deps;

  return async function invite(
    project: Project,
    organization: Organization,
    input: InviteInput,
  ): Promise<{ member: Member; organization: Organization }> {
    const email = normalizeEmail(input.email_address);
    const minutes = linkMinutes(input.invite_expiration_minutes, DEFAULT_INVITE_MINUTES);
    const roles = input.roles === undefined ? undefined : explicitRoles(input.roles);
    assertInvitesAllow(organization, email);
    const redirect = await resolveRedirectUrl(
      store.projects,
      project.project_id,
      "invite",
      input.invite_redirect_url,
    );
    const inviter = input.invited_by_member_id
      ? await store.members.findMember(organization.organization_id, input.invited_by_member_id)
      : null;
    if (input.invited_by_member_id && (!inviter || inviter.status === "deleted")) {
      throw new AuthError("member_not_found", { message: "The invited_by_member_id names no member." });
    }
    await deps.rateLimiter.consume(EMAILS_PER_RECIPIENT, `${project.project_id}:${email}`);

    const token = newEmailToken();
    const member = await store.transaction(async (tx) => {
      const now = clock.now();
      // A deleted member no longer holds its address (it sorts after a live one): inviting it again is an
      // admin's deliberate act, like members.create, and makes a new member.
      const found = await tx.members.findMemberByEmail(organization.organization_id, email);
      const existing = found && found.status !== "deleted" ? found : null;
      if (existing?.status === "active") throw new AuthError("member_already_active_for_invite");
      if (!allowsAuthMethod(organization, "magic_link", existing?.is_breakglass ?? false)) {
        throw new AuthError("operation_restricted_by_organization_auth_methods");
      }
      // Only the fields the caller supplied change on a member that already exists (pending or invited).
      const fields = {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.trusted_metadata !== undefined ? { trusted_metadata: input.trusted_metadata } : {}),
        ...(input.untrusted_metadata !== undefined ? { untrusted_metadata: input.untrusted_metadata } : {}),
        ...(roles !== undefined ? { roles } : {}),
      };
      let member: Member;
      if (existing) {
        member = await tx.members.updateMember(existing.member_id, { ...fields, status: "invited" }, now);
      } else {
        member = newMember(project, organization, email, "invited", now, fields);
        await tx.members.insertMember(member);
      }
      await tx.emailTokens.insertToken(
        newEmailTokenRow(token, {
          project_id: project.project_id,
          kind: "magic_link",
          purpose: "invite",
          organization_id: organization.organization_id,
          member_id: member.member_id,
          email_address: email,
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
    await sendEmail(
      deps,
      project,
      email,
      inviteEmail({
        organizationName: organization.organization_name,
        link,
        expiresInMinutes: minutes,
        invitedBy: inviter ? inviter.name || inviter.email_address : null,
      }),
    );
    return { member, organization };
  };
}

/**
 * The org's email_invites policy: NOT_ALLOWED refuses every invite; RESTRICTED only addresses of its
 * email_allowed_domains (403: the organization's policy refuses a well-formed request).
 */
function assertInvitesAllow(organization: Organization, email: string): void {
  if (organization.email_invites === "NOT_ALLOWED") throw new AuthError("email_invites_not_allowed");
  if (
    organization.email_invites === "RESTRICTED" &&
    !organization.email_allowed_domains.includes(emailDomain(email))
  ) {
    throw new AuthError("invalid_email_for_invites", {
      details: {
        email_invites: organization.email_invites,
        email_domain: emailDomain(email),
        email_allowed_domains: organization.email_allowed_domains,
      },
    });
  }
}
