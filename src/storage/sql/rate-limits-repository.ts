import { type Kysely, sql } from "kysely";
import type { RateLimitStore } from "../../rate-limits/rate-limiter.js";
import type { Database } from "../database.js";

export class RateLimitsRepository implements RateLimitStore {
  constructor(private readonly db: Kysely<Database>) {}

  async deleteOlderThan(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom("rate_limit_counters")
      .where("window_start", "<", before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async hit(bucket: string, windowStart: number): Promise<number> {
    const row = await this.db
      .insertInto("rate_limit_counters")
      .values({ bucket, window_start: windowStart, count: 1 })
      .onConflict((oc) =>
        oc.column("bucket").doUpdateSet({
          count: sql`case when rate_limit_counters.window_start = excluded.window_start then rate_limit_counters.count + 1 else 1 end`,
          window_start: sql`excluded.window_start`,
        }),
      )
      .returning("count")
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
