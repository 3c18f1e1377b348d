import type { AuthDeps } from "../auth-deps.js";
import { newId } from "../crypto/ids.js";
import { AuthError, isAuthError } from "../errors/auth-error.js";
import type { Member } from "../members/member.js";
import { newMember } from "../members/members-service.js";
import { DEFAULT_ORGANIZATION_SETTINGS, type Organization } from "../organizations/organization.js";
import type { Project } from "../projects/project.js";
import { factorTimes } from "../sessions/session.js";
import type { IssuedSession, SessionParams } from "../sessions/sessions-service.js";

/**
 * Stytch's documented test-environment sandbox values (docs/stytch-b2b-api.md §3.8), which apps' own test
 * suites rely on. They exist in **test** projects only: a live project treats every one of them as an ordinary
 * (unknown) input.
 *
 * Nothing here is faked. The sandbox organization and its member `sandbox@stytch.com` are real rows, created in
 * the project on first use; the success token starts a real session for that member, which every other route
 * (sessions/authenticate, revoke, JWT verification) then treats like any other. Only email delivery is skipped,
 * because the address is not a mailbox anyone reads.
 */
export const SANDBOX_ORGANIZATION_ID = "organization-test-007d9d4a-deac-4a87-ba0a-e6e8afba4d4b";
export const SANDBOX_EMAIL = "sandbox@stytch.com";
export const SANDBOX_MAGIC_LINK_TOKENS = Object.freeze({
  success: "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=",
  used: "3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU=",
  notFound: "CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM=",
});

const SANDBOX_ORGANIZATION_NAME = "Stytch sandbox";

export interface SandboxSend {
  member: Member;
  member_created: boolean;
  organization: Organization;
}

export function createSandbox(deps: AuthDeps) {
  const { store, clock } = deps;

  function isSandboxEmail(email: string): boolean {
    return email.trim().toLowerCase() === SANDBOX_EMAIL;
  }

  /**
   * The project's sandbox organization. Its slug is the sandbox id itself, so the id Stytch documents resolves
   * through the ordinary id-or-slug look-up in every project. Organization ids are unique across the server,
   * though: only the first project to use the sandbox gets the documented id as its organization_id, and any
   * other project's sandbox organization gets a fresh id (found by the same slug).
   */
  async function sandboxOrganization(project: Project): Promise<Organization> {
    const found = await store.organizations.findOrganization(project.project_id, SANDBOX_ORGANIZATION_ID);
    if (found) return found;
    const now = clock.now();
    const organization = (organization_id: string): Organization => ({
      ...DEFAULT_ORGANIZATION_SETTINGS,
      organization_id,
      project_id: project.project_id,
      organization_name: SANDBOX_ORGANIZATION_NAME,
      organization_slug: SANDBOX_ORGANIZATION_ID,
      organization_logo_url: "",
      organization_external_id: null,
      trusted_metadata: {},
      created_at: now,
      updated_at: now,
    });
    for (const id of [SANDBOX_ORGANIZATION_ID, newId("organization", project.environment)]) {
      try {
        await store.organizations.insertOrganization(organization(id));
        return organization(id);
      } catch (error) {
        if (!isAuthError(error)) throw error;
        // A concurrent first use in this project wins the slug; otherwise another project holds the id.
        const raced = await store.organizations.findOrganization(project.project_id, SANDBOX_ORGANIZATION_ID);
        if (raced) return raced;
      }
    }
    throw new AuthError("internal_server_error", {
      message: "The sandbox organization could not be created.",
    });
  }

  /** The sandbox member (active, email verified), created on first use. */
  async function sandboxMember(
    project: Project,
    organization: Organization,
  ): Promise<{ member: Member; created: boolean }> {
    const found = await store.members.findMemberByEmail(organization.organization_id, SANDBOX_EMAIL);
    if (found) return { member: found, created: false };
    const member: Member = {
      ...newMember(project, organization, SANDBOX_EMAIL, "active", clock.now()),
      email_address_verified: true,
    };
    try {
      await store.members.insertMember(member);
      return { member, created: true };
    } catch (error) {
      const raced = await store.members.findMemberByEmail(organization.organization_id, SANDBOX_EMAIL);
      if (raced && isAuthError(error)) return { member: raced, created: false };
      throw error;
    }
  }

  return {
    /**
     * magic_links/email/login_or_signup and /invite: in a test project, the sandbox email on the sandbox
     * organization answers 200 with the sandbox member and sends nothing. Null for every other request.
     */
    async emailSend(
      project: Project,
      input: { organization_id: string; email_address: string },
    ): Promise<SandboxSend | null> {
      if (project.environment !== "test") return null;
      if (input.organization_id !== SANDBOX_ORGANIZATION_ID || !isSandboxEmail(input.email_address))
        return null;
      const organization = await sandboxOrganization(project);
      const { member, created } = await sandboxMember(project, organization);
      return { member, member_created: created, organization };
    },

    /** magic_links/email/discovery/send: true (send nothing, answer 200) for the sandbox email in a test project. */
    isDiscoverySend(project: Project, emailAddress: string): boolean {
      return project.environment === "test" && isSandboxEmail(emailAddress);
    },

    /**
     * magic_links/authenticate with a sandbox token in a test project: the success token starts a real session
     * for the sandbox member (reusable, as Stytch's is), the "used" token is 401 unable_to_auth_magic_link and
     * the "not found" token 404 magic_link_not_found. Null for any other token.
     */
    async authenticate(
      project: Project,
      input: SessionParams & { magic_links_token: string },
    ): Promise<(IssuedSession & { method_id: string }) | null> {
      if (project.environment !== "test") return null;
      switch (input.magic_links_token) {
        case SANDBOX_MAGIC_LINK_TOKENS.used:
          throw new AuthError("unable_to_auth_magic_link");
        case SANDBOX_MAGIC_LINK_TOKENS.notFound:
          throw new AuthError("magic_link_not_found");
        case SANDBOX_MAGIC_LINK_TOKENS.success:
          break;
        default:
          return null;
      }
      const organization = await sandboxOrganization(project);
      const { member } = await sandboxMember(project, organization);
      const presented = await deps.sessions.presentedSession(project, input);
      const grant = await store.transaction(async (tx) => {
        const factor = {
          type: "magic_link",
          delivery_method: "email",
          ...factorTimes(clock.now()),
          email_factor: { email_id: member.email_id, email_address: member.email_address },
        };
        return deps.sessionsFor(tx).issue(project, organization, member, factor, input, presented);
      });
      return { ...(await deps.sessions.complete(project, grant)), method_id: member.email_id };
    },
  };
}

export type Sandbox = ReturnType<typeof createSandbox>;
