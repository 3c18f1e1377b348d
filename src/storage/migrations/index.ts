import type { Migration, MigrationProvider } from "kysely";
import * as m0001 from "./0001_initial.js";
import type { Dialect, MigrationDb } from "./column-types.js";

interface DialectMigration {
  up(db: MigrationDb, dialect: Dialect): Promise<void>;
  down?(db: MigrationDb, dialect: Dialect): Promise<void>;
}

/** Every migration, in order. Names are zero-padded so they sort; a released migration is never edited. */
const MIGRATIONS: Record<string, DialectMigration> = {
  "0001_initial": m0001,
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
