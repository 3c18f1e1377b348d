import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { activeMember, createOrg, decodeJwt } from "./helpers/fixtures.js";
import { sdkClient, startTestServer, type TestServer } from "./helpers/harness.js";

/** JWT signing-key rotation seen through the official SDK (issue 4, item 4). */
describe("signing-key rotation", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it("signs with the new key, keeps the old one in the JWKS until its JWTs expired, and keeps sessions alive", async () => {
    const org = await createOrg(server.client);
    const member = await activeMember(server, org);
    const oldKid = decodeJwt(member.session_jwt).header.kid;
    const jwks = async () =>
      (
        (await (
          await server.fetch(`/v1/b2b/sessions/jwks/${server.project.project_id}`, { auth: "none" })
        ).json()) as {
          keys: { kid: string }[];
        }
      ).keys.map((k) => k.kid);

    const rotated = await server.app.keys.rotate(server.project.project_id, "test", 0);
    assert.deepEqual((await jwks()).sort(), [oldKid, rotated.kid].sort(), "both keys are published");

    const renewed = await server.client.sessions.authenticate({ session_token: member.session_token });
    assert.equal(decodeJwt(renewed.session_jwt).header.kid, rotated.kid, "new JWTs carry the new kid");
    // A verifier that fetches the JWKS now verifies JWTs of both keys locally.
    const verifier = sdkClient(server.url, server.project);
    assert.equal(
      (await verifier.sessions.authenticateJwtLocal({ session_jwt: renewed.session_jwt })).member_id,
      member.member_id,
    );
    assert.equal(
      (await verifier.sessions.authenticateJwtLocal({ session_jwt: member.session_jwt })).member_id,
      member.member_id,
    );

    // One JWT lifetime after the rotation the old key leaves the JWKS…
    server.clock.advance(5 * 60_000 + 1000);
    assert.deepEqual(await jwks(), [rotated.kid]);
    // …but a stale JWT it signed still refreshes remotely while the session lives (as Stytch's does).
    const refreshed = await server.client.sessions.authenticate({ session_jwt: member.session_jwt });
    assert.equal(refreshed.member_session.member_session_id, member.member_session_id);
    assert.equal(decodeJwt(refreshed.session_jwt).header.kid, rotated.kid);
  });
});
