import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  type SqlBool,
  sql,
  type Updateable,
} from "kysely";
import { AuthError } from "../../errors/auth-error.js";
import type { Member, RetiredEmail } from "../../members/member.js";
import type { MemberFilter, MemberSearch } from "../../members/member-query.js";
import type { MembersStore } from "../../members/members-store.js";
import type { Database, MemberTable } from "../database.js";
import { isUniqueViolation, uniqueViolationTarget } from "../dialects.js";
import { bool, flag, parseJson, toJson } from "./json.js";

export function toMember(row: Selectable<MemberTable>): Member {
  return {
    member_id: row.member_id,
    project_id: row.project_id,
    organization_id: row.organization_id,
    email_address: row.email_address,
    email_id: row.email_id,
    status: row.status,
    name: row.name,
    email_address_verified: bool(row.email_address_verified),
    is_breakglass: bool(row.is_breakglass),
    external_id: row.external_id,
    roles: parseJson(row.roles),
    trusted_metadata: parseJson(row.trusted_metadata),
    untrusted_metadata: parseJson(row.untrusted_metadata),
    member_password_id: row.member_password_id,
    password_hash: row.password_hash,
    failed_auth_count: row.failed_auth_count,
    lock_created_at: row.lock_created_at,
    lock_expires_at: row.lock_expires_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
    retired_email_addresses: parseJson<RetiredEmail[]>(row.retired_email_addresses),
  };
}

type MemberFields = Partial<Omit<Member, "member_id" | "project_id" | "organization_id">>;

function toRow(fields: MemberFields): Updateable<MemberTable> {
  const row: Updateable<MemberTable> = {};
  for (const [key, value] of Object.entries(fields) as [keyof MemberFields, unknown][]) {
    switch (key) {
      case "email_address_verified":
      case "is_breakglass":
        row[key] = flag(value as boolean);
        break;
      case "roles":
      case "trusted_metadata":
      case "untrusted_metadata":
      case "retired_email_addresses":
        row[key] = toJson(value);
        break;
      default:
        (row as Record<string, unknown>)[key] = value;
    }
  }
  return row;
}

export class MembersRepository implements MembersStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertMember(member: Member): Promise<void> {
    try {
      await this.db
        .insertInto("members")
        .values({
          member_id: member.member_id,
          project_id: member.project_id,
          organization_id: member.organization_id,
          email_address: member.email_address,
          email_id: member.email_id,
          status: member.status,
          name: member.name,
          email_address_verified: flag(member.email_address_verified),
          is_breakglass: flag(member.is_breakglass),
          external_id: member.external_id,
          roles: toJson(member.roles),
          trusted_metadata: toJson(member.trusted_metadata),
          untrusted_metadata: toJson(member.untrusted_metadata),
          member_password_id: member.member_password_id,
          password_hash: member.password_hash,
          failed_auth_count: member.failed_auth_count,
          lock_created_at: member.lock_created_at,
          lock_expires_at: member.lock_expires_at,
          created_at: member.created_at,
          updated_at: member.updated_at,
          retired_email_addresses: toJson(member.retired_email_addresses),
        })
        .execute();
    } catch (error) {
      throw duplicateError(error);
    }
  }

  async findMember(organizationId: string, key: string): Promise<Member | null> {
    const row = await this.db
      .selectFrom("members")
      .selectAll()
      .where("organization_id", "=", organizationId)
      .where((eb) => eb.or([eb("member_id", "=", key), eb("external_id", "=", key)]))
      .orderBy((eb) => eb.case().when("member_id", "=", key).then(0).else(1).end())
      .orderBy(deletedLast)
      .orderBy("updated_at", "desc")
      .executeTakeFirst();
    return row ? toMember(row) : null;
  }

  async findMemberInProject(projectId: string, memberId: string): Promise<Member | null> {
    const row = await this.db
      .selectFrom("members")
      .selectAll()
      .where("member_id", "=", memberId)
      .where("project_id", "=", projectId)
      .executeTakeFirst();
    return row ? toMember(row) : null;
  }

  async findMemberByEmail(organizationId: string, email: string): Promise<Member | null> {
    const row = await this.db
      .selectFrom("members")
      .selectAll()
      .where("organization_id", "=", organizationId)
      .where("email_address", "=", email)
      .orderBy(deletedLast)
      .orderBy("updated_at", "desc")
      .executeTakeFirst();
    return row ? toMember(row) : null;
  }

  async findMemberByPasswordId(organizationId: string, memberPasswordId: string): Promise<Member | null> {
    const row = await this.db
      .selectFrom("members")
      .selectAll()
      .where("organization_id", "=", organizationId)
      .where("member_password_id", "=", memberPasswordId)
      .executeTakeFirst();
    return row ? toMember(row) : null;
  }

  async updateMember(memberId: string, fields: MemberFields, now: number): Promise<Member> {
    try {
      const row = await this.db
        .updateTable("members")
        .set({ ...toRow(fields), updated_at: now })
        .where("member_id", "=", memberId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toMember(row);
    } catch (error) {
      throw duplicateError(error);
    }
  }

  async recordFailedAuth(
    memberId: string,
    maxFailures: number,
    now: number,
    lockUntil: number,
  ): Promise<Member> {
    const row = await this.db
      .updateTable("members")
      .set(failedAuthChange(maxFailures, now, lockUntil))
      .where("member_id", "=", memberId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toMember(row);
  }

  async findLiveMembersByEmail(projectId: string, email: string): Promise<Member[]> {
    const rows = await this.db
      .selectFrom("members")
      .selectAll()
      .where("project_id", "=", projectId)
      .where("email_address", "=", email)
      .where("status", "<>", "deleted")
      .orderBy("updated_at", "desc")
      .orderBy("member_id")
      .execute();
    return rows.map(toMember);
  }

  async updateMembersByEmail(
    projectId: string,
    email: string,
    fields: MemberFields,
    now: number,
  ): Promise<Member[]> {
    const rows = await this.db
      .updateTable("members")
      .set({ ...toRow(fields), updated_at: now })
      .where("project_id", "=", projectId)
      .where("email_address", "=", email)
      .returningAll()
      .execute();
    return rows.map(toMember);
  }

  async recordFailedAuthByEmail(
    projectId: string,
    email: string,
    maxFailures: number,
    now: number,
    lockUntil: number,
  ): Promise<Member[]> {
    const rows = await this.db
      .updateTable("members")
      .set(failedAuthChange(maxFailures, now, lockUntil))
      .where("project_id", "=", projectId)
      .where("email_address", "=", email)
      .where("status", "<>", "deleted")
      .returningAll()
      .execute();
    return rows.map(toMember);
  }

  async hasLivePassword(projectId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("members")
      .select("member_id")
      .where("project_id", "=", projectId)
      .where("status", "<>", "deleted")
      .where("password_hash", "is not", null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async searchMembers(search: MemberSearch): Promise<{ members: Member[]; total: number; more: boolean }> {
    const matching = this.db
      .selectFrom("members")
      .where("project_id", "=", search.projectId)
      .where("organization_id", "in", search.organizationIds)
      .where((eb) => queryCondition(eb, search));
    const counted = await matching
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirst();
    let page = matching.selectAll();
    const after = search.after;
    if (after) {
      page = page.where((eb) =>
        eb.or([
          eb("created_at", ">", after.created_at),
          eb.and([eb("created_at", "=", after.created_at), eb("member_id", ">", after.member_id)]),
        ]),
      );
    }
    const rows = await page
      .orderBy("created_at")
      .orderBy("member_id")
      .limit(search.limit + 1)
      .execute();
    return {
      members: rows.slice(0, search.limit).map(toMember),
      total: Number(counted?.n ?? 0),
      more: rows.length > search.limit,
    };
  }
}

/**
 * The SET of one failed password attempt, applied in one statement so the increment and the lock decision
 * cannot interleave with a concurrent failure. A lock that has run out starts a fresh streak instead of
 * re-locking on the next single mistake.
 */
function failedAuthChange(maxFailures: number, now: number, lockUntil: number) {
  const count = sql<number>`(case when lock_expires_at is not null and lock_expires_at <= cast(${now} as bigint) then 1 else failed_auth_count + 1 end)`;
  const locks = sql<boolean>`${count} >= cast(${maxFailures} as integer)`;
  return {
    failed_auth_count: count,
    // Explicit casts: PostgreSQL cannot infer a parameter's type inside CASE (it would guess text).
    lock_created_at: sql<number | null>`case when ${locks} then cast(${now} as bigint) else null end`,
    lock_expires_at: sql<number | null>`case when ${locks} then cast(${lockUntil} as bigint) else null end`,
    updated_at: now,
  };
}

/** Live members first: a deleted member shares its old address or external id with at most one live one. */
const deletedLast = sql<number>`case when status = 'deleted' then 1 else 0 end`;

/** Unique-index violations on members, in the catalog's words. */
function duplicateError(error: unknown): unknown {
  if (!isUniqueViolation(error)) return error;
  const target = uniqueViolationTarget(error);
  return new AuthError(
    target.includes("external_id") ? "duplicate_member_external_id" : "duplicate_member_email",
    { cause: error },
  );
}

type MembersEb = ExpressionBuilder<Database, "members">;

function queryCondition(eb: MembersEb, search: MemberSearch): Expression<SqlBool> {
  const { query } = search;
  const parts = query.filters.map((filter) => filterCondition(eb, filter));
  const combined =
    parts.length === 0 ? eb.lit(true) : query.operator === "AND" ? eb.and(parts) : eb.or(parts);
  return query.includeDeleted ? combined : eb.and([combined, eb("status", "<>", "deleted")]);
}

function filterCondition(eb: MembersEb, filter: MemberFilter): Expression<SqlBool> {
  switch (filter.kind) {
    case "member_ids":
      // A member_id or an external id, as everywhere a member_id is accepted (§3.4).
      return eb.or([eb("member_id", "in", filter.values), eb("external_id", "in", filter.values)]);
    case "member_emails":
      return eb("email_address", "in", filter.values);
    case "member_email_fuzzy":
      // Addresses are stored lower-cased and the needle is lower-cased, so LIKE behaves the same on both
      // engines (SQLite's LIKE ignores ASCII case, PostgreSQL's does not).
      return sql<SqlBool>`email_address like ${`%${escapeLike(filter.value)}%`} escape '\\'`;
    case "member_is_breakglass":
      return eb("is_breakglass", "=", flag(filter.value));
    case "statuses":
      return eb("status", "in", filter.values);
    case "member_roles":
      return eb.or(filter.values.map((role) => roleCondition(eb, role)));
    case "member_password_exists":
      return filter.value ? eb("password_hash", "is not", null) : eb("password_hash", "is", null);
  }
}

/** Every member holds stytch_member; other roles are looked up as a JSON string element of `roles`. */
function roleCondition(eb: MembersEb, role: string): Expression<SqlBool> {
  if (role === "stytch_member") return eb.lit(true);
  return sql<SqlBool>`roles like ${`%${escapeLike(JSON.stringify(role))}%`} escape '\\'`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
