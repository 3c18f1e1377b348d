import { type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, sql } from "kysely";

/**
 * The per-dialect type map, the only place migrations differ between SQLite and PostgreSQL.
 * Times are epoch milliseconds: SQLite INTEGER is 64-bit already, PostgreSQL needs BIGINT.
 */
export type Dialect = "sqlite" | "postgres";

export function columnTypes(dialect: Dialect) {
  return {
    timestamp: dialect === "postgres" ? sql`bigint` : sql`integer`,
    autoIncrementId<T extends string, C extends string>(
      table: CreateTableBuilder<T, C>,
      name: string,
    ): CreateTableBuilder<T, C> {
      return dialect === "postgres"
        ? table.addColumn(name, "bigserial", (c: ColumnDefinitionBuilder) => c.primaryKey())
        : table.addColumn(name, "integer", (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement());
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a schema that changes over time
export type MigrationDb = Kysely<any>;
