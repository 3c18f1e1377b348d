import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { type OpenedDatabase, openDatabase } from "../dialects.js";
import { migrateToLatest } from "../migrate.js";
import { preparedQuery, preparedStatementName } from "./prepared.js";

describe("preparedQuery", () => {
  let opened: OpenedDatabase;

  before(async () => {
    opened = openDatabase({ kind: "sqlite", path: ":memory:" });
    await migrateToLatest(opened);
    await opened.db
      .insertInto("projects")
      .values([
        {
          project_id: "project-test-a",
          name: "A",
          environment: "test",
          public_token: "a",
          settings: "{}",
          created_at: 1,
        },
        {
          project_id: "project-test-b",
          name: "B",
          environment: "test",
          public_token: "b",
          settings: "{}",
          created_at: 2,
        },
      ] as never)
      .execute();
  });

  after(() => opened.close());

  it("runs the compiled shape with each call's values, constants kept", async () => {
    const byName = preparedQuery(["name", "after"], (db, v) =>
      db
        .selectFrom("projects")
        .select(["project_id"])
        .where("name", "=", v.name)
        .where("created_at", ">", v.after)
        .where("environment", "=", "test"),
    );
    assert.deepEqual(await byName(opened.db, { name: "A", after: 0 }), [{ project_id: "project-test-a" }]);
    assert.deepEqual(await byName(opened.db, { name: "B", after: 0 }), [{ project_id: "project-test-b" }]);
    assert.deepEqual(await byName(opened.db, { name: "B", after: 2 }), []);
  });

  it("refuses a shape where a value does not reach the SQL as a parameter", async () => {
    const lost = preparedQuery(["name"], (db, v) =>
      db
        .selectFrom("projects")
        .select(["project_id"])
        // The value is folded into a literal while the shape is built: it never becomes a parameter.
        .where("name", "=", sql.lit(String(v.name).length > 0 ? "A" : "B")),
    );
    await assert.rejects(lost(opened.db, { name: "A" }), /does not reach the SQL as a parameter/);
  });

  it("refuses a shape that selects * (its result would change under a named statement)", async () => {
    const all = preparedQuery(["name"], (db, v) =>
      db.selectFrom("projects").selectAll().where("name", "=", v.name),
    );
    await assert.rejects(all(opened.db, { name: "A" }), /list the columns/);
    const allOfOne = preparedQuery(["name"], (db, v) =>
      db.selectFrom("projects as p").selectAll("p").where("p.name", "=", v.name),
    );
    await assert.rejects(allOfOne(opened.db, { name: "A" }), /list the columns/);
  });

  it("names each compiled text after the text itself, and nothing else", async () => {
    const shape = (db: OpenedDatabase["db"], v: Record<"name", never>) =>
      db.selectFrom("projects").select(["project_id"]).where("name", "=", v.name);
    const one = preparedQuery(["name"], shape);
    const two = preparedQuery(["name"], shape);
    await one(opened.db, { name: "A" });
    await two(opened.db, { name: "B" });
    const text = shape(opened.db, {} as Record<"name", never>).compile().sql;
    const name = preparedStatementName(text);
    assert.match(name ?? "", /^gatehouse_[0-9a-f]{32}$/);
    assert.equal(preparedStatementName(`${text} `), undefined);
    assert.equal(preparedStatementName('select "project_id" from "projects"'), undefined);
  });
});
