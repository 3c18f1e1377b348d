import type { Migration, MigrationProvider } from "kysely";
import * as m0001 from "./0001_initial.js";
import * as m0002 from "./0002_discovery.js";
import * as m0003 from "./0003_organization_domains.js";
import * as m0004 from "./0004_member_lifecycle.js";
import * as m0005 from "./0005_counter_window_index.js";
import * as m0006 from "./0006_address_tokens.js";
import type { Dialect, MigrationDb } from "./column-types.js";

interface DialectMigration {
  up(db: MigrationDb, dialect: Dialect): Promise<void>;
  down?(db: MigrationDb, dialect: Dialect): Promise<void>;
}

/** Every migration, in order. Names are zero-padded so they sort; a released migration is never edited. */
const MIGRATIONS: Record<string, DialectMigration> = {
  "0001_initial": m0001,
  "0002_discovery": m0002,
  "0003_organization_domains": m0003,
  "0004_member_lifecycle": m0004,
  "0005_counter_window_index": m0005,
  "0006_address_tokens": m0006,
};

/** A static provider (no file-system scanning), bound to the dialect the migrations must target. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(MIGRATIONS)) {
        const { down } = m;
        out[name] = {
          up: (db) => m.up(db, dialect),
          ...(down ? { down: (db: MigrationDb) => down(db, dialect) } : {}),
        };
      }
      return out;
    },
  };
}
