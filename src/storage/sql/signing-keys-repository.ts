import type { JWK } from "jose";
import type { Kysely } from "kysely";
import type { SigningKeyRecord, SigningKeysStore } from "../../sessions/signing-keys.js";
import type { Database } from "../database.js";
import { parseJson, toJson } from "./json.js";

export class SigningKeysRepository implements SigningKeysStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertKey(key: SigningKeyRecord): Promise<void> {
    await this.db
      .insertInto("signing_keys")
      .values({
        kid: key.kid,
        project_id: key.project_id,
        private_jwk: key.private_jwk_sealed,
        public_jwk: toJson(key.public_jwk),
        created_at: key.created_at,
        retired_at: key.retired_at,
      })
      .execute();
  }

  async retireKeys(projectId: string, at: number, exceptKid: string): Promise<number> {
    const result = await this.db
      .updateTable("signing_keys")
      .set({ retired_at: at })
      .where("project_id", "=", projectId)
      // A key already set to retire later (an earlier rotation still in its grace period) retires now too.
      .where((eb) => eb.or([eb("retired_at", "is", null), eb("retired_at", ">", at)]))
      .where("kid", "!=", exceptKid)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async listKeys(projectId: string): Promise<SigningKeyRecord[]> {
    const rows = await this.db
      .selectFrom("signing_keys")
      .selectAll()
      .where("project_id", "=", projectId)
      .orderBy("created_at", "desc")
      .execute();
    return rows.map((r) => ({
      kid: r.kid,
      project_id: r.project_id,
      private_jwk_sealed: r.private_jwk,
      public_jwk: parseJson<JWK>(r.public_jwk),
      created_at: r.created_at,
      retired_at: r.retired_at,
    }));
  }
}
