import { type Kysely, type Selectable, sql, type Updateable } from "kysely";
import { AuthError } from "../../errors/auth-error.js";
import type { Member } from "../../members/member.js";
import type { MembersStore } from "../../members/members-store.js";
import type { Database, MemberTable } from "../database.js";
import { isUniqueViolation, uniqueViolationTarget } from "../dialects.js";
import { bool, flag, parseJson, toJson } from "./json.js";

function toMember(row: Selectable<MemberTable>): Member {
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
        })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) {
        const target = uniqueViolationTarget(error);
        throw new AuthError(
          target.includes("external_id") ? "duplicate_member_external_id" : "duplicate_member_email",
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  async findMember(organizationId: string, key: string): Promise<Member | null> {
    const row = await this.db
      .selectFrom("members")
      .selectAll()
      .where("organization_id", "=", organizationId)
      .where((eb) => eb.or([eb("member_id", "=", key), eb("external_id", "=", key)]))
      .orderBy((eb) => eb.case().when("member_id", "=", key).then(0).else(1).end())
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
      .executeTakeFirst();
    return row ? toMember(row) : null;
  }

  async updateMember(memberId: string, fields: MemberFields, now: number): Promise<Member> {
    const row = await this.db
      .updateTable("members")
      .set({ ...toRow(fields), updated_at: now })
      .where("member_id", "=", memberId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toMember(row);
  }

  async recordFailedAuth(
    memberId: string,
    maxFailures: number,
    now: number,
    lockUntil: number,
  ): Promise<Member> {
    // One statement, so the increment and the lock decision cannot interleave with a concurrent failure.
    // A lock that has run out starts a fresh streak instead of re-locking on the next single mistake.
    const count = sql<number>`(case when lock_expires_at is not null and lock_expires_at <= cast(${now} as bigint) then 1 else failed_auth_count + 1 end)`;
    const locks = sql<boolean>`${count} >= cast(${maxFailures} as integer)`;
    const row = await this.db
      .updateTable("members")
      .set({
        failed_auth_count: count,
        // Explicit casts: PostgreSQL cannot infer a parameter's type inside CASE (it would guess text).
        lock_created_at: sql`case when ${locks} then cast(${now} as bigint) else null end`,
        lock_expires_at: sql`case when ${locks} then cast(${lockUntil} as bigint) else null end`,
        updated_at: now,
      })
      .where("member_id", "=", memberId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toMember(row);
  }
}
