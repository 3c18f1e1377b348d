import type { MigrationDb } from "./column-types.js";

/** The janitor deletes old rate-limit counters by window_start; index it so the sweep never scans the table. */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createIndex("rate_limit_counters_window")
    .on("rate_limit_counters")
    .column("window_start")
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex("rate_limit_counters_window").execute();
}
