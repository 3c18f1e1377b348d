import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { B2BOrganizationsMembersSearchRequest } from "stytch";
import { activeMember, createOrg, memberWithPassword, type TestOrg, uniq } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";

type Operands = NonNullable<B2BOrganizationsMembersSearchRequest["query"]>["operands"];

/** members.search: scoping, every operand, operators, pagination and its errors. */

describe("members search", () => {
  let server: TestServer;
  let a: TestOrg;
  let b: TestOrg;
  /** member ids by label, created once for every test. */
  const ids: Record<string, string> = {};
  const emails: Record<string, string> = {};

  before(async () => {
    server = await startTestServer();
    a = await createOrg(server.client, "Search A");
    b = await createOrg(server.client, "Search B");
    const add = async (label: string, org: TestOrg, fields: Record<string, unknown> = {}) => {
      const email = `${label}-${uniq()}@${org.domain}`;
      const { member_id } = await server.client.organizations.members.create({
        organization_id: org.organization_id,
        email_address: email,
        ...fields,
      });
      ids[label] = member_id;
      emails[label] = email;
      server.clock.advance(1000);
    };
    await add("alice", a, { roles: ["stytch_admin"], external_id: `ext-alice-${uniq()}` });
    await add("bob", a, { is_breakglass: true });
    await add("carol", a, { create_member_as_pending: true });
    await add("dave", b);
    await add("gone", a);
    await server.client.organizations.members.delete({
      organization_id: a.organization_id,
      member_id: ids.gone!,
    });
    const withPassword = await memberWithPassword(server, a);
    ids.pw = withPassword.member_id;
    emails.pw = withPassword.email;
  });
  after(() => server.stop());

  const search = (input: Partial<B2BOrganizationsMembersSearchRequest> = {}) =>
    server.client.organizations.members.search({ organization_ids: [a.organization_id], ...input });
  /** Operands as sent on the wire; some tests send ones the SDK's types would not allow. */
  const and = (...operands: Record<string, unknown>[]) => ({
    query: { operator: "AND", operands: operands as unknown as Operands },
  });
  const labels = (members: { member_id: string }[]) =>
    members.map((m) => Object.keys(ids).find((k) => ids[k] === m.member_id) ?? m.member_id);

  it("without a query returns every non-deleted member of the organizations, oldest first", async () => {
    const res = await search({ organization_ids: [a.organization_slug, b.organization_id] });
    assert.equal(res.status_code, 200);
    assert.deepEqual(labels(res.members), ["alice", "bob", "carol", "dave", "pw"]);
    assert.equal(res.results_metadata.total, 5);
    assert.equal(res.results_metadata.next_cursor, null);
    assert.deepEqual(Object.keys(res.organizations).sort(), [a.organization_id, b.organization_id].sort());
    assert.equal(res.organizations[a.organization_id]?.organization_slug, a.organization_slug);
  });

  it("maps only the organizations of the returned members", async () => {
    const res = await search({
      organization_ids: [a.organization_id, b.organization_id],
      ...and({ filter_name: "member_ids", filter_value: [ids.dave] }),
    });
    assert.deepEqual(labels(res.members), ["dave"]);
    assert.deepEqual(Object.keys(res.organizations), [b.organization_id]);
  });

  it("filters by each operand", async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ filter_name: "member_ids", filter_value: [ids.bob, ids.dave] }, ["bob"]],
      [{ filter_name: "member_emails", filter_value: [emails.carol!.toUpperCase()] }, ["carol"]],
      [{ filter_name: "member_email_fuzzy", filter_value: "BOB-" }, ["bob"]],
      [{ filter_name: "member_email_fuzzy", filter_value: "%_%" }, []],
      [{ filter_name: "member_is_breakglass", filter_value: true }, ["bob"]],
      [{ filter_name: "statuses", filter_value: ["pending"] }, ["carol"]],
      [{ filter_name: "statuses", filter_value: ["deleted"] }, ["gone"]],
      [{ filter_name: "member_roles", filter_value: ["stytch_admin"] }, ["alice"]],
      [{ filter_name: "member_roles", filter_value: ["stytch_member"] }, ["alice", "bob", "carol", "pw"]],
      [{ filter_name: "member_roles", filter_value: ["nope"] }, []],
      [{ filter_name: "member_password_exists", filter_value: true }, ["pw"]],
      [{ filter_name: "member_password_exists", filter_value: false }, ["alice", "bob", "carol"]],
    ];
    for (const [operand, expected] of cases) {
      const res = await search(and(operand));
      assert.deepEqual(labels(res.members), expected, JSON.stringify(operand));
      assert.equal(res.results_metadata.total, expected.length);
    }
    // member_ids accepts external ids too.
    const alice = await server.client.organizations.members.get({
      organization_id: a.organization_id,
      member_id: ids.alice!,
    });
    const byExt = await search(and({ filter_name: "member_ids", filter_value: [alice.member.external_id] }));
    assert.deepEqual(labels(byExt.members), ["alice"]);
  });

  it("combines operands with AND, or with OR (case-insensitive operator)", async () => {
    const both = await search(
      and(
        { filter_name: "member_roles", filter_value: ["stytch_admin"] },
        { filter_name: "member_is_breakglass", filter_value: true },
      ),
    );
    assert.deepEqual(both.members, []);
    const either = await search({
      query: {
        operator: "or",
        operands: [
          { filter_name: "member_roles", filter_value: ["stytch_admin"] },
          { filter_name: "member_is_breakglass", filter_value: true },
        ],
      },
    });
    assert.deepEqual(labels(either.members), ["alice", "bob"]);
    const empty = await search({ query: { operator: "AND", operands: [] } });
    assert.equal(empty.results_metadata.total, 4);
  });

  it("pages with limit and an opaque cursor", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await search({ limit: 2, ...(cursor ? { cursor } : {}) });
      assert.equal(res.results_metadata.total, 4);
      seen.push(...labels(res.members));
      if (!res.results_metadata.next_cursor) break;
      cursor = res.results_metadata.next_cursor;
    }
    assert.deepEqual(seen, ["alice", "bob", "carol", "pw"]);
  });

  it("refuses bad searches", async () => {
    const cases: [Partial<B2BOrganizationsMembersSearchRequest>, string, number][] = [
      [{ organization_ids: [] }, "member_search_organization_ids_empty", 400],
      [{ organization_ids: ["no-such-org"] }, "organization_not_found", 404],
      [and({ filter_name: "member_email_fuzzy", filter_value: "ab" }), "member_search_fuzzy_too_short", 400],
      [and({ filter_name: "member_phone_fuzzy", filter_value: "123" }), "invalid_search_query", 400],
      [and({ filter_name: "member_ids", filter_value: [] }), "invalid_search_query", 400],
      [and({ filter_name: "member_ids", filter_value: "x" }), "invalid_search_query", 400],
      [and({ filter_name: "statuses", filter_value: ["asleep"] }), "invalid_search_query", 400],
      [and({ filter_name: "member_is_breakglass", filter_value: "yes" }), "invalid_search_query", 400],
      [{ query: { operator: "XOR", operands: [] } }, "invalid_search_query", 400],
      [{ cursor: "not a cursor" }, "invalid_cursor", 400],
      [{ cursor: Buffer.from('{"a":1}').toString("base64url") }, "invalid_cursor", 400],
      [{ limit: 1001 }, "bad_request", 400],
    ];
    for (const [input, error_type, status_code] of cases) {
      await assert.rejects(search(input), { error_type, status_code }, JSON.stringify(input));
    }
  });

  it("is scoped to the project: another project's organization is not found", async () => {
    const other = await server.newProject();
    await assert.rejects(
      other.client.organizations.members.search({ organization_ids: [a.organization_id] }),
      { error_type: "organization_not_found", status_code: 404 },
    );
  });

  it("with a member session: an admin searches its own organization only; a plain member not at all", async () => {
    const admin = await activeMember(server, a);
    await server.client.organizations.members.update({
      organization_id: a.organization_id,
      member_id: admin.member_id,
      roles: ["stytch_admin"],
    });
    const own = await server.client.organizations.members.search(
      { organization_ids: [a.organization_id] },
      { authorization: { session_token: admin.session_token } },
    );
    assert.ok(own.members.length >= 5);
    await assert.rejects(
      server.client.organizations.members.search(
        { organization_ids: [a.organization_id, b.organization_id] },
        { authorization: { session_jwt: admin.session_jwt } },
      ),
      { error_type: "session_authorization_tenancy_error", status_code: 403 },
    );
    const plain = await activeMember(server, a);
    await assert.rejects(
      server.client.organizations.members.search(
        { organization_ids: [a.organization_id] },
        { authorization: { session_token: plain.session_token } },
      ),
      { error_type: "session_authorization_error", status_code: 403 },
    );
  });
});
