import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SessionAnswerCache } from "../src/sessions/answer-cache.js";
import { activeMember, createOrg, type TestOrg } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";

/**
 * Same-second answers of sessions/authenticate (SessionAnswerCache): a repeated plain check is answered with
 * the answer kept for this second, and every write that could change that answer is seen at once. The test
 * server's clock is manual, so "this second" lasts until a test moves it: every answer below would be served
 * from the cache if a write were missed.
 */
describe("sessions/authenticate: same-second answers", () => {
  let server: TestServer;
  let org: TestOrg;
  before(async () => {
    server = await startTestServer();
    org = await createOrg(server.client, "Answers");
  });
  after(() => server.stop());

  const cache = () => {
    const answers = server.app.services.sessionAnswers;
    assert.ok(answers, "the cache is on by default");
    return answers;
  };

  async function rawAuthenticate(body: object): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await server.fetch("/v1/b2b/sessions/authenticate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  it("answers a repeated check from the kept answer: the same bytes but for a new request_id", async () => {
    const member = await activeMember(server, org);
    const key = SessionAnswerCache.keyOf(server.project.project_id, { session_token: member.session_token });
    assert.ok(key);
    // On PostgreSQL nothing is kept until the node's listener is connected (it may still be connecting).
    let first = await rawAuthenticate({ session_token: member.session_token });
    for (let i = 0; i < 100 && cache().get(key) === undefined; i++) {
      await new Promise((r) => setTimeout(r, 10));
      first = await rawAuthenticate({ session_token: member.session_token });
    }
    assert.equal(first.status, 200);
    assert.ok(cache().get(key), "the answer is kept");
    const second = await rawAuthenticate({ session_token: member.session_token });
    assert.equal(second.status, 200);
    assert.notEqual(second.json.request_id, first.json.request_id);
    const { request_id: _a, ...restFirst } = first.json;
    const { request_id: _b, ...restSecond } = second.json;
    assert.deepEqual(restSecond, restFirst);
  });

  it("does not keep checks that extend the session, set claims or ask an authorization check", async () => {
    const member = await activeMember(server, org);
    const key = SessionAnswerCache.keyOf(server.project.project_id, { session_token: member.session_token });
    assert.ok(key);
    await server.client.sessions.authenticate({
      session_token: member.session_token,
      session_duration_minutes: 30,
    });
    await server.client.sessions.authenticate({
      session_token: member.session_token,
      session_custom_claims: { team: "a" },
    });
    assert.equal(cache().get(key), undefined);
  });

  it("sees a revocation at once, by token and by JWT", async () => {
    const member = await activeMember(server, org);
    await server.client.sessions.authenticate({ session_token: member.session_token });
    await server.client.sessions.authenticate({ session_jwt: member.session_jwt });
    await server.client.sessions.revoke({ member_session_id: member.member_session_id });
    await assert.rejects(server.client.sessions.authenticate({ session_token: member.session_token }), {
      status_code: 404,
      error_type: "session_not_found",
    });
    await assert.rejects(server.client.sessions.authenticate({ session_jwt: member.session_jwt }), {
      status_code: 404,
      error_type: "session_not_found",
    });
  });

  it("sees a change to the member or the organization at once", async () => {
    const member = await activeMember(server, org);
    await server.client.sessions.authenticate({ session_token: member.session_token });
    await server.client.organizations.members.update({
      organization_id: org.organization_id,
      member_id: member.member_id,
      name: "Renamed Member",
    });
    const afterMember = await server.client.sessions.authenticate({ session_token: member.session_token });
    assert.equal(afterMember.member.name, "Renamed Member");

    await server.client.organizations.update({
      organization_id: org.organization_id,
      organization_name: "Renamed Organization",
    });
    const afterOrg = await server.client.sessions.authenticate({ session_token: member.session_token });
    assert.equal(afterOrg.organization.organization_name, "Renamed Organization");
  });

  it("sees an extension at once, and a deleted member at once", async () => {
    const member = await activeMember(server, org);
    const before = await server.client.sessions.authenticate({ session_token: member.session_token });
    await server.client.sessions.authenticate({
      session_token: member.session_token,
      session_duration_minutes: 600,
    });
    const extended = await server.client.sessions.authenticate({ session_token: member.session_token });
    assert.ok(Date.parse(extended.member_session.expires_at) > Date.parse(before.member_session.expires_at));

    await server.client.organizations.members.delete({
      organization_id: org.organization_id,
      member_id: member.member_id,
    });
    await assert.rejects(server.client.sessions.authenticate({ session_token: member.session_token }), {
      error_type: "session_not_found",
    });
  });

  it("never serves a kept answer once the session has expired, even within the same second", async () => {
    const member = await activeMember(server, org);
    // Extend to exactly 5 minutes from an instant in the middle of a second, so the expiry falls mid-second too.
    server.clock.advance(1500 - (server.clock.now() % 1000));
    await server.client.sessions.authenticate({
      session_token: member.session_token,
      session_duration_minutes: 5,
    });
    const expiresAt = server.clock.now() + 5 * 60_000;
    server.clock.set(expiresAt - 200);
    await server.client.sessions.authenticate({ session_token: member.session_token });
    server.clock.set(expiresAt);
    await assert.rejects(server.client.sessions.authenticate({ session_token: member.session_token }), {
      error_type: "session_not_found",
    });
  });

  it("keeps projects apart: a kept answer is not found through another project's credentials", async () => {
    const member = await activeMember(server, org);
    await server.client.sessions.authenticate({ session_token: member.session_token });
    const other = await server.newProject("Other");
    await assert.rejects(other.client.sessions.authenticate({ session_token: member.session_token }), {
      error_type: "session_not_found",
    });
  });
});
