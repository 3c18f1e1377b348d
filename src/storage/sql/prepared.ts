import { createHash } from "node:crypto";
import { type Compilable, CompiledQuery, type Kysely } from "kysely";
import type { Database } from "../database.js";

/** Marks a parameter slot while a shape is compiled; no real value starts with a NUL character. */
const SLOT = "\u0000gatehouse-slot:";

interface Compiled<Key extends string> {
  sql: string;
  slots: ({ key: Key } | { value: unknown })[];
}

/**
 * The SQL texts preparedQuery has compiled, each with a statement name derived from the text alone (the same on
 * every node and connection). On PostgreSQL they are sent as named prepared statements, parsed and planned
 * once per connection instead of on every call (dialects.ts).
 */
const statementNames = new Map<string, string>();

/**
 * `true` when `Columns` names every column of `Table`, else the missing column names. Declared as
 * `const everyXColumn: ListsEveryColumn<XTable, typeof X_COLUMNS> = true`, it fails the build when a migration
 * adds a column that a prepared query's explicit list (no `*`, see preparedQuery) does not name.
 */
export type ListsEveryColumn<Table, Columns extends readonly (keyof Table)[]> = [
  Exclude<keyof Table, Columns[number]>,
] extends [never]
  ? true
  : Exclude<keyof Table, Columns[number]>;

/** The statement name of SQL compiled by preparedQuery, or undefined for any other SQL. */
export function preparedStatementName(sql: string): string | undefined {
  return statementNames.get(sql);
}

/**
 * A hot-path query whose shape never changes, compiled to SQL once per database handle and then run with new
 * values.
 *
 * Why: Kysely builds and compiles a query's syntax tree on every call. For the 43-column join behind
 * sessions/authenticate that was about a third of the request's CPU in the profile, more than SQLite's own work
 * (bench/results/…-optimisations.md). The SQL text is the same on every call (values are always bound
 * parameters), so compiling it once gives exactly what Kysely would have produced.
 *
 * `build` receives a stand-in for each named value; it must pass them straight to comparisons (never through
 * a function that transforms them), which the first compile checks: every stand-in must come out as a
 * parameter. Compiled per Kysely instance (the dialect decides the SQL), so a transaction's handle compiles its
 * own copy once. It must list the columns it reads (no `*`), which the first compile checks too: PostgreSQL
 * keeps it as a named statement, and a named statement whose result columns change under it (a migration that
 * adds one, run by another node) fails on every connection that prepared it.
 */
export function preparedQuery<Key extends string, Row>(
  keys: readonly Key[],
  build: (db: Kysely<Database>, values: Record<Key, never>) => Compilable<Row>,
): (db: Kysely<Database>, values: Record<Key, unknown>) => Promise<Row[]> {
  const byDb = new WeakMap<Kysely<Database>, Compiled<Key>>();

  function compile(db: Kysely<Database>): Compiled<Key> {
    const standIns = Object.fromEntries(keys.map((k) => [k, `${SLOT}${k}`])) as Record<Key, never>;
    const compiled = build(db, standIns).compile();
    const slots = compiled.parameters.map((p) =>
      typeof p === "string" && p.startsWith(SLOT) ? { key: p.slice(SLOT.length) as Key } : { value: p },
    );
    for (const key of keys) {
      if (!slots.some((s) => "key" in s && s.key === key)) {
        throw new Error(`prepared query: value "${key}" does not reach the SQL as a parameter`);
      }
    }
    if (/(^|[\s,.])\*(\s|,|$)/.test(compiled.sql)) {
      throw new Error("prepared query: list the columns instead of selecting *");
    }
    // Every transaction handle compiles again: the name of a text already seen is kept, not hashed anew.
    if (!statementNames.has(compiled.sql)) {
      const name = `gatehouse_${createHash("sha256").update(compiled.sql).digest("hex").slice(0, 32)}`;
      statementNames.set(compiled.sql, name);
    }
    return { sql: compiled.sql, slots };
  }

  return async (db, values) => {
    let compiled = byDb.get(db);
    if (!compiled) {
      compiled = compile(db);
      byDb.set(db, compiled);
    }
    const parameters = compiled.slots.map((s) => ("key" in s ? values[s.key] : s.value));
    const result = await db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters));
    return result.rows;
  };
}
