import type { AuthDeps } from "../auth-deps.js";
import { newId } from "../crypto/ids.js";
import { AuthError } from "../errors/auth-error.js";
import { type Member, normalizeEmail } from "../members/member.js";
import { newMember } from "../members/members-service.js";
import type { Organization } from "../organizations/organization.js";
import type { Project } from "../projects/project.js";
import { isKnownRole } from "../rbac/policy.js";
import { encodeImportedHash, type MigrateHashInput, parseImportedHash } from "./imported-hashes.js";
import type { PasswordChecks } from "./password-checks.js";

/** passwords/migrate request (docs/stytch-b2b-api.md §5.4); MFA phone fields are accepted and ignored. */
export interface MigrateInput extends MigrateHashInput {
  organization_id: string;
  email_address: string;
  name?: string;
  trusted_metadata?: Record<string, unknown>;
  untrusted_metadata?: Record<string, unknown>;
  roles?: string[];
  external_id?: string;
  preserve_existing_sessions?: boolean;
}

const EXTERNAL_ID = /^[A-Za-z0-9._|-]{1,128}$/;

/**
 * Imports a password hash computed by another system. A new email becomes an active member with a verified
 * email (Stytch: the caller vouches for the address) and the given profile fields; an existing member keeps
 * its profile (Stytch ignores them, and `external_id` explicitly, for existing members) and gets the imported
 * hash, its email marked verified, any lock lifted, and, unless `preserve_existing_sessions`, every session
 * revoked: a new credential should not coexist with sessions proven by the old one. With cross-org passwords
 * the hash is the person's (every member of the address gets it, and their sessions are revoked likewise).
 * The hash is validated and cost-bounded here and verified at login over the raw password; the member's first
 * successful login replaces it with argon2id.
 */
export async function migratePassword(
  deps: AuthDeps,
  checks: PasswordChecks,
  project: Project,
  input: MigrateInput,
): Promise<{ member: Member; member_created: boolean; organization: Organization }> {
  const organization = await deps.organizations.get(project, input.organization_id);
  const email = normalizeEmail(input.email_address);
  const stored = encodeImportedHash(parseImportedHash(input));
  if (input.roles?.some((role) => !isKnownRole(role))) throw new AuthError("invalid_role");
  if (input.external_id !== undefined && input.external_id !== "" && !EXTERNAL_ID.test(input.external_id)) {
    throw new AuthError("invalid_member_external_id");
  }

  const { member, member_created } = await deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    const existing = await tx.members.findMemberByEmail(organization.organization_id, email);
    // The address stays taken by a deleted member (as for login_or_signup); reactivate it first.
    if (existing?.status === "deleted") throw new AuthError("inactive_member");
    if (existing) {
      const updated = await checks.storePassword(
        tx,
        project,
        existing,
        stored,
        { email_address_verified: true },
        now,
      );
      if (!input.preserve_existing_sessions) await checks.revokeSessions(tx, project, existing);
      return { member: updated, member_created: false };
    }
    const created: Member = {
      ...newMember(project, organization, email, "active", now, {
        name: input.name ?? "",
        roles: input.roles ?? [],
        trusted_metadata: input.trusted_metadata ?? {},
        untrusted_metadata: input.untrusted_metadata ?? {},
        external_id: input.external_id ? input.external_id : null,
      }),
      email_address_verified: true,
      member_password_id: newId("member-password", project.environment),
      password_hash: stored,
    };
    await tx.members.insertMember(created);
    if (!project.settings.cross_org_passwords) return { member: created, member_created: true };
    // Cross-org: the imported hash becomes the person's password in every organization, and ends the
    // sessions the old one opened there (unless asked not to).
    const shared = await checks.storePassword(tx, project, created, stored, {}, now);
    if (!input.preserve_existing_sessions) await checks.revokeSessions(tx, project, created);
    return { member: shared, member_created: true };
  });
  return { member, member_created, organization };
}
