import { newId } from "../crypto/ids.js";
import { AuthError } from "../errors/auth-error.js";
import { isLocked, type Member } from "../members/member.js";
import type { Project } from "../projects/project.js";
import type { Store } from "../storage/store.js";

/**
 * Cross-org passwords (the project setting `cross_org_passwords`; docs/decisions.md, Cross-org passwords): a
 * password belongs to the person, i.e. to the normalised email address, in every organization of the project,
 * not to one member. It is stored as the same hash and member_password_id on every member row of the address,
 * written in ONE UPDATE by (project_id, email_address) (index members_project_email), so no organization can
 * hold a different copy; the rows' failure streaks and locks are the person's and move together as well.
 *
 * Invariant while the setting is on: the address's non-null hashes are equal. Every write covers every row of
 * the address, deleted ones included (a reactivated member comes back with the current password, not a stale
 * one), and the setting can only be turned on while no live member has a password. A member that joins an
 * organization later has no hash on its row until the next write or login; reads take the address's hash
 * from whichever live row holds it.
 */
export interface Person {
  /** The address's live members, most recently updated first. */
  readonly members: Member[];
  /** The person's password: the hash of the most recently updated live row that has one. */
  readonly password_hash: string | null;
  readonly member_password_id: string | null;
  /** While any row is locked, the one whose lock ends last: the person is locked until then. */
  readonly locked: Member | null;
}

/** The shared password, its id and the person's lock, read from the address's live members. */
export async function loadPerson(
  store: Pick<Store, "members">,
  projectId: string,
  email: string,
  now: number,
): Promise<Person> {
  const members = await store.members.findLiveMembersByEmail(projectId, email);
  const holder = members.find((m) => m.password_hash !== null);
  let locked: Member | null = null;
  for (const m of members) {
    if (isLocked(m, now) && (locked === null || (m.lock_expires_at ?? 0) > (locked.lock_expires_at ?? 0))) {
      locked = m;
    }
  }
  return {
    members,
    password_hash: holder?.password_hash ?? null,
    member_password_id: holder?.member_password_id ?? null,
    locked,
  };
}

/** 400 cross_org_passwords_not_enabled unless the project shares passwords across organizations. */
export function assertCrossOrg(project: Project): void {
  if (!project.settings.cross_org_passwords) throw new AuthError("cross_org_passwords_not_enabled");
}

/**
 * Sets the person's password on every row of the address, keeping the person's member_password_id (or
 * creating one), and ends every failure streak and lock (AA-2, AA-5). Every unused reset link sent to the
 * address, organization-scoped or cross-org, dies with the old password (ATK-28). Returns the rows written.
 */
export async function storePersonPassword(
  tx: Store,
  project: Project,
  email: string,
  hash: string,
  extra: { email_address_verified?: true },
  now: number,
): Promise<Member[]> {
  const current = await loadPerson(tx, project.project_id, email, now);
  const rows = await tx.members.updateMembersByEmail(
    project.project_id,
    email,
    {
      password_hash: hash,
      member_password_id: current.member_password_id ?? newId("member-password", project.environment),
      failed_auth_count: 0,
      lock_created_at: null,
      lock_expires_at: null,
      ...extra,
    },
    now,
  );
  await tx.emailTokens.invalidateAddressTokens(
    project.project_id,
    email,
    ["password_reset", "discovery_password_reset"],
    now,
  );
  return rows;
}

/**
 * After a correct password: clears the person's failure streaks and locks, replaces an outdated or imported
 * hash (`rehash`), and writes the hash onto rows that lack it (members that joined since the last write), in
 * one UPDATE, and only when one of these is needed. Returns the rows written, or null when nothing was.
 */
export async function recordPersonSuccess(
  tx: Store,
  project: Project,
  email: string,
  hash: string,
  rehash: string | null,
  now: number,
): Promise<Member[] | null> {
  const person = await loadPerson(tx, project.project_id, email, now);
  const stale = person.members.some(
    (m) =>
      m.failed_auth_count > 0 ||
      m.lock_expires_at !== null ||
      m.password_hash !== hash ||
      m.member_password_id !== person.member_password_id,
  );
  if (!stale && !rehash) return null;
  return tx.members.updateMembersByEmail(
    project.project_id,
    email,
    {
      password_hash: rehash ?? hash,
      member_password_id: person.member_password_id ?? newId("member-password", project.environment),
      failed_auth_count: 0,
      lock_created_at: null,
      lock_expires_at: null,
    },
    now,
  );
}

/** Ends the sessions of every live member of the address, but `keepSessionId` (a new password: RC-9). */
export async function revokePersonSessions(
  tx: Store,
  projectId: string,
  email: string,
  keepSessionId?: string,
): Promise<void> {
  for (const member of await tx.members.findLiveMembersByEmail(projectId, email)) {
    await tx.sessions.deleteMemberSessions(member.member_id, keepSessionId);
  }
}

/**
 * passwords/email/require_reset: removes the person's password from every row of the address (and any lock,
 * as members.deletePassword does), so the only way back is a reset. Unused reset links stay valid: they are
 * how the person sets a new one. Returns the rows written.
 */
export function clearPersonPassword(
  tx: Store,
  projectId: string,
  email: string,
  now: number,
): Promise<Member[]> {
  return tx.members.updateMembersByEmail(
    projectId,
    email,
    {
      password_hash: null,
      member_password_id: null,
      failed_auth_count: 0,
      lock_created_at: null,
      lock_expires_at: null,
    },
    now,
  );
}
