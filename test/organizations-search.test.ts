import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { B2BClient } from "stytch";
import { type ActiveMember, activeMember, uniq } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";

/**
 * organizations.search through the official SDK. The organizations live in a project of their own, so every
 * expected result set (and total) is exact.
 */

type Operand = { filter_name: string; filter_value: unknown };

describe("organizations.search", () => {
  let server: TestServer;
  let client: B2BClient;
  const id = uniq();
  /** alpha, beta, gamma (with a member), delta, and one whose name holds LIKE wildcards. */
  const orgs: Record<"alpha" | "beta" | "gamma" | "delta" | "wild", string> = {
    alpha: "",
    beta: "",
    gamma: "",
    delta: "",
    wild: "",
  };
  let gammaMember: ActiveMember;

  before(async () => {
    server = await startTestServer();
    client = (await server.newProject("Search project")).client;
    const create = async (fields: Parameters<B2BClient["organizations"]["create"]>[0]) => {
      server.clock.advance(1000);
      const { organization } = await client.organizations.create(fields);
      return organization.organization_id;
    };
    orgs.alpha = await create({
      organization_name: "Alpha Widgets",
      organization_slug: `alpha-${id}`,
      email_allowed_domains: [`alpha${id}.example.com`],
      claimed_email_domains: [`claimed${id}.example.org`],
    });
    orgs.beta = await create({
      organization_name: "Beta Gadgets",
      organization_slug: `beta-${id}`,
      email_allowed_domains: [`beta${id}.example.net`],
    });
    orgs.gamma = await create({
      organization_name: "Gamma",
      organization_slug: `gamma-${id}`,
      email_allowed_domains: [`gamma${id}.example.com`],
      email_jit_provisioning: "RESTRICTED",
    });
    orgs.delta = await create({ organization_name: "Delta", organization_slug: `delta-${id}` });
    orgs.wild = await create({ organization_name: "100% Pure_Tea", organization_slug: `wild-${id}` });
    gammaMember = await activeMember(
      server,
      { organization_id: orgs.gamma, organization_slug: `gamma-${id}`, domain: `gamma${id}.example.com` },
      { client, local: `Zed.${id}` },
    );
  });
  after(() => server.stop());

  async function search(operands: Operand[] | null, operator = "AND", extra: Record<string, unknown> = {}) {
    return client.organizations.search({
      ...(operands ? { query: { operator, operands: operands as never } } : {}),
      ...extra,
    });
  }

  async function idsOf(operands: Operand[] | null, operator = "AND"): Promise<string[]> {
    const result = await search(operands, operator);
    assert.equal(result.status_code, 200);
    assert.equal(result.results_metadata.total, result.organizations.length);
    return result.organizations.map((o) => o.organization_id);
  }

  it("returns every organization of the project without a query or operands, oldest first", async () => {
    const all = [orgs.alpha, orgs.beta, orgs.gamma, orgs.delta, orgs.wild];
    assert.deepEqual(await idsOf(null), all);
    assert.deepEqual(await idsOf([]), all);
    assert.deepEqual(await idsOf([], "OR"), all);
    const result = await search(null);
    assert.equal(result.results_metadata.next_cursor, null);
    assert.equal(result.organizations[0]?.organization_name, "Alpha Widgets");
  });

  it("filters by each operand", async () => {
    const cases: [Operand, string[]][] = [
      [
        { filter_name: "organization_ids", filter_value: [orgs.beta, orgs.delta, "organization-test-x"] },
        [orgs.beta, orgs.delta],
      ],
      [{ filter_name: "organization_slugs", filter_value: [`ALPHA-${id}`] }, [orgs.alpha]],
      [{ filter_name: "organization_name_fuzzy", filter_value: "WIDG" }, [orgs.alpha]],
      [{ filter_name: "organization_name_fuzzy", filter_value: "gad" }, [orgs.beta]],
      [{ filter_name: "organization_slug_fuzzy", filter_value: `ta-${id}` }, [orgs.beta, orgs.delta]],
      [{ filter_name: "member_emails", filter_value: [gammaMember.email.toUpperCase()] }, [orgs.gamma]],
      [{ filter_name: "member_email_fuzzy", filter_value: `zed.${id}` }, [orgs.gamma]],
      [{ filter_name: "allowed_domains", filter_value: [`ALPHA${id}.example.com`] }, [orgs.alpha]],
      [{ filter_name: "allowed_domain_fuzzy", filter_value: "example.net" }, [orgs.beta]],
      [
        { filter_name: "allowed_domain_fuzzy", filter_value: `${id}.example` },
        [orgs.alpha, orgs.beta, orgs.gamma],
      ],
      [{ filter_name: "claimed_email_domains", filter_value: [`claimed${id}.example.org`] }, [orgs.alpha]],
      [{ filter_name: "claimed_email_domains", filter_value: [`alpha${id}.example.com`] }, []],
      [{ filter_name: "has_active_sso_connection", filter_value: true }, []],
      [{ filter_name: "sso_connection_id", filter_value: "saml-connection-test-1" }, []],
    ];
    for (const [operand, expected] of cases) {
      assert.deepEqual(await idsOf([operand]), expected, JSON.stringify(operand));
    }
    assert.equal(
      (await idsOf([{ filter_name: "has_active_sso_connection", filter_value: false }])).length,
      5,
    );
  });

  it("takes fuzzy values literally: LIKE wildcards match only themselves", async () => {
    assert.deepEqual(await idsOf([{ filter_name: "organization_name_fuzzy", filter_value: "0% p" }]), [
      orgs.wild,
    ]);
    assert.deepEqual(await idsOf([{ filter_name: "organization_name_fuzzy", filter_value: "e_t" }]), [
      orgs.wild,
    ]);
    for (const value of ["%%%", "___", "a%a", "!%!"]) {
      assert.deepEqual(
        await idsOf([{ filter_name: "organization_name_fuzzy", filter_value: value }]),
        [],
        value,
      );
    }
  });

  it("combines operands with AND, or with OR in any case", async () => {
    const slugAlpha: Operand = { filter_name: "organization_slugs", filter_value: [`alpha-${id}`] };
    const domainBeta: Operand = { filter_name: "allowed_domains", filter_value: [`beta${id}.example.net`] };
    const nameWidgets: Operand = { filter_name: "organization_name_fuzzy", filter_value: "widgets" };
    assert.deepEqual(await idsOf([slugAlpha, domainBeta]), []);
    assert.deepEqual(await idsOf([slugAlpha, nameWidgets], "and"), [orgs.alpha]);
    assert.deepEqual(await idsOf([slugAlpha, domainBeta], "OR"), [orgs.alpha, orgs.beta]);
    assert.deepEqual(await idsOf([domainBeta, slugAlpha], "or"), [orgs.alpha, orgs.beta]);
  });

  it("pages with limit and an opaque cursor, reporting the total on every page", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    const pages: number[] = [];
    for (let page = 0; page < 5; page++) {
      const result = await search(null, "AND", { limit: 2, ...(cursor ? { cursor } : {}) });
      assert.equal(result.results_metadata.total, 5);
      pages.push(result.organizations.length);
      seen.push(...result.organizations.map((o) => o.organization_id));
      if (result.results_metadata.next_cursor === null) break;
      cursor = result.results_metadata.next_cursor;
      assert.match(cursor ?? "", /^[A-Za-z0-9_-]+$/);
    }
    assert.deepEqual(pages, [2, 2, 1]);
    assert.deepEqual(seen, [orgs.alpha, orgs.beta, orgs.gamma, orgs.delta, orgs.wild]);

    // A filtered search pages the same way; its total counts matches only.
    const filtered = [{ filter_name: "allowed_domain_fuzzy", filter_value: `${id}.example` }];
    const first = await search(filtered, "AND", { limit: 2 });
    assert.equal(first.results_metadata.total, 3);
    const second = await search(filtered, "AND", {
      limit: 2,
      cursor: first.results_metadata.next_cursor ?? undefined,
    });
    assert.deepEqual(
      second.organizations.map((o) => o.organization_id),
      [orgs.gamma],
    );
    assert.equal(second.results_metadata.next_cursor, null);
    // limit 0 is the default (100).
    assert.equal((await search(null, "AND", { limit: 0 })).organizations.length, 5);
  });

  it("never returns another project's organizations", async () => {
    const { organization } = await server.client.organizations.create({
      organization_name: "Alpha Widgets",
      organization_slug: `alpha-${id}`,
      email_allowed_domains: [`alpha${id}.example.com`],
    });
    const inSearchProject = await idsOf([
      { filter_name: "organization_slugs", filter_value: [`alpha-${id}`] },
    ]);
    assert.deepEqual(inSearchProject, [orgs.alpha]);
    assert.deepEqual(
      await idsOf([{ filter_name: "organization_ids", filter_value: [organization.organization_id] }]),
      [],
    );
    const fromMain = await server.client.organizations.search({
      query: {
        operator: "AND",
        operands: [{ filter_name: "allowed_domains", filter_value: [`alpha${id}.example.com`] }],
      },
    });
    assert.deepEqual(
      fromMain.organizations.map((o) => o.organization_id),
      [organization.organization_id],
    );
    assert.equal((await idsOf([{ filter_name: "organization_ids", filter_value: [orgs.alpha] }])).length, 1);
  });

  it("does not match deleted members by email", async () => {
    const { member } = await client.organizations.members.get({
      organization_id: orgs.gamma,
      member_id: gammaMember.member_id,
    });
    await server.store.members.updateMember(member.member_id, { status: "deleted" }, Date.now());
    try {
      assert.deepEqual(
        await idsOf([{ filter_name: "member_emails", filter_value: [gammaMember.email] }]),
        [],
      );
    } finally {
      await server.store.members.updateMember(member.member_id, { status: "active" }, Date.now());
    }
  });

  it("answers bad queries with 400", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        {
          query: {
            operator: "AND",
            operands: [{ filter_name: "organization_name_fuzzy", filter_value: "ab" }],
          },
        },
        "organization_search_fuzzy_too_short",
      ],
      [
        {
          query: { operator: "AND", operands: [{ filter_name: "member_email_fuzzy", filter_value: " a " }] },
        },
        "organization_search_fuzzy_too_short",
      ],
      [
        {
          query: {
            operator: "AND",
            operands: [{ filter_name: "organization_colour", filter_value: ["red"] }],
          },
        },
        "invalid_search_query",
      ],
      [{ query: { operator: "XOR", operands: [] } }, "invalid_search_query"],
      [{ query: { operands: [] } }, "invalid_search_query"],
      [
        {
          query: {
            operator: "AND",
            operands: [{ filter_name: "organization_ids", filter_value: "not-a-list" }],
          },
        },
        "invalid_search_query",
      ],
      [
        { query: { operator: "AND", operands: [{ filter_name: "organization_ids", filter_value: [] }] } },
        "invalid_search_query",
      ],
      [
        { query: { operator: "AND", operands: [{ filter_name: "organization_slugs", filter_value: [1] }] } },
        "invalid_search_query",
      ],
      [
        {
          query: {
            operator: "AND",
            operands: [{ filter_name: "has_active_sso_connection", filter_value: "yes" }],
          },
        },
        "invalid_search_query",
      ],
      [{ query: { operator: "AND", operands: [{ filter_value: ["x"] }] } }, "invalid_search_query"],
      [{ cursor: "not a cursor" }, "invalid_cursor"],
      [{ cursor: Buffer.from('{"a":1}').toString("base64url") }, "invalid_cursor"],
      [{ limit: -1 }, "bad_request"],
      [{ limit: "10" }, "bad_request"],
    ];
    for (const [body, error_type] of cases) {
      await assert.rejects(
        client.organizations.search(body as never),
        { error_type, status_code: 400 },
        JSON.stringify(body),
      );
    }
  });
});
