import type { AuthDeps } from "../auth-deps.js";
import { newEmailToken, newSessionToken, sha256Hex } from "../crypto/random.js";
import { sendEmail } from "../email/send.js";
import { discoveryEmail } from "../email/templates.js";
import { AuthError } from "../errors/auth-error.js";
import { normalizeEmail } from "../members/member.js";
import type { Project } from "../projects/project.js";
import { buildEmailLink, resolveRedirectUrl } from "../projects/redirect-urls.js";
import { EMAILS_PER_RECIPIENT } from "../rate-limits/rate-limiter.js";
import { createSandbox } from "../sandbox/sandbox.js";
import { MINUTE_MS } from "../shared/clock.js";
import { linkMinutes, pkceChallenge } from "../shared/validation.js";
import { assertPkce } from "../tokens/pkce.js";
import { type DiscoveredOrganization, discoverOrganizations } from "./discovered-organizations.js";
import { newIntermediateSession } from "./intermediate-session.js";

export interface DiscoverySendInput {
  email_address: string;
  discovery_redirect_url?: string;
  pkce_code_challenge?: string;
  discovery_expiration_minutes?: number;
}

export interface DiscoveryAuthenticateInput {
  discovery_magic_links_token: string;
  pkce_code_verifier?: string;
}

/** What a discovery authentication yields: an IST for the address, and where the address can go with it. */
export interface DiscoveryResult {
  intermediate_session_token: string;
  intermediate_session_token_expires_at: number;
  email_address: string;
  discovered_organizations: DiscoveredOrganization[];
}

const DEFAULT_LINK_MINUTES = 60;

/** Discovery magic links: magic_links/email/discovery/send and magic_links/discovery/authenticate. */
export function createDiscoveryMagicLinks(deps: AuthDeps) {
  const { store, clock } = deps;
  const sandbox = createSandbox(deps);

  return {
    /**
     * Emails a discovery link to any well-formed address, member or not: the answer is the same either way, so
     * it reveals nothing about which addresses are members (EN-1). The link is bound to the project and address.
     */
    async send(project: Project, input: DiscoverySendInput): Promise<void> {
      if (sandbox.isDiscoverySend(project, input.email_address)) return;
      const email = normalizeEmail(input.email_address);
      const challenge = pkceChallenge(input.pkce_code_challenge);
      const minutes = linkMinutes(input.discovery_expiration_minutes, DEFAULT_LINK_MINUTES);
      const redirect = await resolveRedirectUrl(
        store.projects,
        project.project_id,
        "discovery",
        input.discovery_redirect_url,
      );
      await deps.rateLimiter.consume(EMAILS_PER_RECIPIENT, `${project.project_id}:${email}`);
      const token = newEmailToken();
      const now = clock.now();
      await store.emailTokens.insertDiscoveryToken({
        token_hash: sha256Hex(token),
        project_id: project.project_id,
        email_address: email,
        pkce_challenge: challenge,
        created_at: now,
        expires_at: now + minutes * MINUTE_MS,
        consumed_at: null,
      });
      const link = buildEmailLink(redirect, { tokenType: "discovery", token });
      await sendEmail(
        deps,
        project,
        email,
        discoveryEmail({ appName: project.name, link, expiresInMinutes: minutes }),
      );
    },

    /**
     * Redeems a discovery link: consumes it and stores a 10-minute IST holding a magic_link factor for its
     * address, in one transaction, then lists the address's organizations. The link proves the mailbox only;
     * no member changes until the IST is exchanged.
     */
    async authenticate(project: Project, input: DiscoveryAuthenticateInput): Promise<DiscoveryResult> {
      const hash = sha256Hex(input.discovery_magic_links_token);
      const found = await store.emailTokens.findDiscoveryToken(project.project_id, hash);
      if (!found) throw new AuthError("magic_link_not_found");
      assertPkce(found.pkce_challenge, input.pkce_code_verifier);

      const token = newSessionToken();
      const session = await store.transaction(async (tx) => {
        const now = clock.now();
        const result = await tx.emailTokens.consumeDiscoveryToken(project.project_id, hash, now);
        if (result.status === "not_found") throw new AuthError("magic_link_not_found");
        if (result.status !== "consumed") throw new AuthError("unable_to_auth_magic_link");
        const session = newIntermediateSession(
          project.project_id,
          sha256Hex(token),
          result.token.email_address,
          [{ type: "magic_link", delivery_method: "email", authenticated_at: now }],
          now,
        );
        await tx.discovery.insertIntermediateSession(session);
        return session;
      });

      return {
        intermediate_session_token: token,
        intermediate_session_token_expires_at: session.expires_at,
        email_address: session.email_address,
        discovered_organizations: await discoverOrganizations(
          store,
          project.project_id,
          session.email_address,
          { factorTypes: session.authentication_factors.map((f) => f.type), includeEligible: true },
        ),
      };
    },
  };
}
