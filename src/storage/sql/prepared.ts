import { type Compilable, CompiledQuery, type Kysely } from "kysely";
import type { Database } from "../database.js";

/** Marks a parameter slot while a shape is compiled; no real value starts with a NUL character. */
const SLOT = "\u0000gatehouse-slot:";

interface Compiled<Key extends string> {
  sql: string;
  slots: ({ key: Key } | { value: unknown })[];
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
 * own copy once.
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
