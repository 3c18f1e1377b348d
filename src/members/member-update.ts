import { newId } from "../crypto/ids.js";
import { AuthError } from "../errors/auth-error.js";
import type { Project } from "../projects/project.js";
import type { Store } from "../storage/store.js";
import {
  assertValidMemberExternalId,
  explicitRoles,
  type Member,
  mergeMetadata,
  normalizeEmail,
  type RetiredEmail,
} from "./member.js";

/** PUT …/{org}/members/{member_id} body (docs/stytch-b2b-api.md §5.2). Every field is optional. */
export interface UpdateMemberInput {
  name?: string;
  trusted_metadata?: Record<string, unknown>;
  untrusted_metadata?: Record<string, unknown>;
  is_breakglass?: boolean;
  mfa_phone_number?: string;
  mfa_enrolled?: boolean;
  roles?: string[];
  preserve_existing_sessions?: boolean;
  default_mfa_method?: string;
  email_address?: string;
  external_id?: string;
  unlink_email?: boolean;
}

/**
 * MFA is not offered by this Gatehouse version: the MFA fields are accepted only when they ask for nothing
 * (false or empty), so no app believes a member is enrolled in a factor that is never checked.
 */
export function assertNoMfaSettings(input: {
  mfa_phone_number?: string;
  mfa_enrolled?: boolean;
  default_mfa_method?: string;
}): void {
  const asked =
    input.mfa_enrolled === true ||
    (input.mfa_phone_number !== undefined && input.mfa_phone_number !== "") ||
    (input.default_mfa_method !== undefined && input.default_mfa_method !== "");
  if (asked) {
    throw new AuthError("invalid_request_value", {
      message:
        "MFA is not supported by this server: mfa_enrolled, mfa_phone_number and default_mfa_method must be unset.",
    });
  }
}

/**
 * Applies an update to `member` (read in the same transaction `tx`). Only the supplied fields change:
 * - metadata is merged at the top level (a `null` key deletes it), as Stytch documents;
 * - `roles` replaces the explicit roles (stytch_member is always held); when a role is taken away, the member's
 *   sessions are revoked unless `preserve_existing_sessions`, so a demotion takes effect at once instead of
 *   living on in sessions (and in JWTs re-minted from them) that still carry the old role;
 * - a new `email_address` clears the password (it was proven for the old mailbox), marks the address
 *   unverified, invalidates every unused email link, and retires the old address (dropped instead with
 *   `unlink_email`); changing back to a retired address reuses its email_id.
 */
export async function updateMember(
  tx: Store,
  project: Project,
  member: Member,
  input: UpdateMemberInput,
  now: number,
): Promise<Member> {
  assertNoMfaSettings(input);
  if (input.external_id !== undefined) assertValidMemberExternalId(input.external_id);
  const fields: MemberChanges = {};

  if (input.name !== undefined) fields.name = input.name;
  if (input.is_breakglass !== undefined) fields.is_breakglass = input.is_breakglass;
  if (input.external_id !== undefined) fields.external_id = input.external_id;
  if (input.trusted_metadata !== undefined) {
    fields.trusted_metadata = mergeMetadata(
      "trusted_metadata",
      member.trusted_metadata,
      input.trusted_metadata,
    );
  }
  if (input.untrusted_metadata !== undefined) {
    fields.untrusted_metadata = mergeMetadata(
      "untrusted_metadata",
      member.untrusted_metadata,
      input.untrusted_metadata,
    );
  }

  let revokeSessions = false;
  if (input.roles !== undefined) {
    const roles = explicitRoles(input.roles);
    fields.roles = roles;
    const removed = member.roles.some((role) => !roles.includes(role));
    revokeSessions = removed && input.preserve_existing_sessions !== true;
  }

  if (input.email_address !== undefined) {
    const email = normalizeEmail(input.email_address);
    if (email !== member.email_address) {
      Object.assign(fields, changedEmail(project, member, email, input.unlink_email === true));
      await tx.emailTokens.invalidateMemberTokens(member.member_id, "magic_link", now);
      await tx.emailTokens.invalidateMemberTokens(member.member_id, "password_reset", now);
    }
  }

  const updated = await tx.members.updateMember(member.member_id, fields, now);
  if (revokeSessions) await tx.sessions.deleteMemberSessions(member.member_id);
  return updated;
}

type MemberChanges = {
  -readonly [K in Exclude<keyof Member, "member_id" | "project_id" | "organization_id">]?: Member[K];
};

function changedEmail(project: Project, member: Member, email: string, unlink: boolean) {
  const previous = member.retired_email_addresses.find((r) => r.email_address === email);
  const retired: RetiredEmail[] = member.retired_email_addresses.filter((r) => r.email_address !== email);
  if (!unlink) retired.push({ email_id: member.email_id, email_address: member.email_address });
  return {
    email_address: email,
    email_id: previous?.email_id ?? newId("member-email", project.environment),
    email_address_verified: false,
    retired_email_addresses: retired,
    password_hash: null,
    member_password_id: null,
    failed_auth_count: 0,
    lock_created_at: null,
    lock_expires_at: null,
  } satisfies Partial<Member>;
}
