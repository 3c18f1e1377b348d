import assert from "node:assert/strict";
import { createHash, pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type Algorithm, hash as argon2Hash } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { activeMember, createOrg, type TestOrg, uniq } from "./helpers/fixtures.js";
import { startTestServer, type TestServer } from "./helpers/harness.js";

/**
 * passwords/migrate: one hash of every supported type, generated here with node:crypto, @node-rs/argon2 and
 * bcryptjs, is imported, refuses a wrong password, logs in with the right one and is then stored as argon2id.
 * Cost bounds (ST-3, ATK-49), malformed hashes, existing members and profile fields.
 */

// @node-rs/argon2's Algorithm is an ambient const enum: 1 is Argon2i, 2 is Argon2id.
const ARGON2I = 1 as Algorithm;
const ARGON2ID = 2 as Algorithm;

describe("passwords/migrate", () => {
  let server: TestServer;
  let org: TestOrg;
  before(async () => {
    server = await startTestServer();
    org = await createOrg(server.client, "Migrate");
  });
  after(() => server.stop());

  const login = (email: string, password: string) =>
    server.client.passwords.authenticate({
      organization_id: org.organization_id,
      email_address: email,
      password,
    });

  const migrate = (email: string, fields: Record<string, unknown>) =>
    server.client.passwords.migrate({
      organization_id: org.organization_slug,
      email_address: email,
      ...(fields as { hash: string; hash_type: string }),
    });

  async function storedHash(memberId: string): Promise<string> {
    const member = await server.store.members.findMemberInProject(server.project.project_id, memberId);
    return member?.password_hash ?? "";
  }

  const salt = randomBytes(16);
  const salt64 = salt.toString("base64");
  const cases: [string, (pw: string) => Promise<Record<string, unknown>>][] = [
    ["bcrypt", async (pw) => ({ hash_type: "bcrypt", hash: await bcrypt.hash(pw, 4) })],
    [
      "md_5",
      async (pw) => ({
        hash_type: "md_5",
        hash: createHash("md5").update(`pre${pw}post`).digest("hex"),
        md_5_config: { prepend_salt: "pre", append_salt: "post" },
      }),
    ],
    [
      "sha_1",
      async (pw) => ({
        hash_type: "sha_1",
        hash: createHash("sha1").update(`${pw}s4lt`).digest("hex"),
        sha_1_config: { prepend_salt: "", append_salt: "s4lt" },
      }),
    ],
    [
      "sha_512",
      async (pw) => ({
        hash_type: "sha_512",
        hash: createHash("sha512").update(`x${pw}`).digest("hex").toUpperCase(),
        sha_512_config: { prepend_salt: "x", append_salt: "" },
      }),
    ],
    [
      "argon_2i",
      async (pw) => ({
        hash_type: "argon_2i",
        hash: await argon2Hash(pw, { algorithm: ARGON2I, memoryCost: 1024, timeCost: 1 }),
      }),
    ],
    [
      "argon_2id",
      async (pw) => ({
        hash_type: "argon_2id",
        hash: await argon2Hash(pw, { algorithm: ARGON2ID, memoryCost: 2048, timeCost: 1 }),
      }),
    ],
    [
      "scrypt",
      async (pw) => ({
        hash_type: "scrypt",
        hash: scryptSync(pw, salt, 32, { N: 1024, r: 8, p: 1 }).toString("base64"),
        scrypt_config: { salt: salt64, n_parameter: 1024, r_parameter: 8, p_parameter: 1, key_length: 32 },
      }),
    ],
    ...(["sha256", "sha512", "sha1"] as const).map(
      (algorithm): [string, (pw: string) => Promise<Record<string, unknown>>] => [
        `pbkdf_2 ${algorithm}`,
        async (pw) => ({
          hash_type: "pbkdf_2",
          hash: pbkdf2Sync(pw, salt, 1000, 32, algorithm).toString("base64"),
          pbkdf_2_config: { salt: salt64, iteration_amount: 1000, key_length: 32, algorithm },
        }),
      ],
    ),
  ];

  for (const [name, make] of cases) {
    it(`imports a ${name} hash: wrong password 401, right one logs in and is rehashed to argon2id`, async () => {
      const email = `mig-${uniq()}@${org.domain}`;
      const password = `Ünïcode ${name} ${uniq()} lagoon`;
      const migrated = await migrate(email, await make(password));
      assert.equal(migrated.member_created, true);
      assert.equal(migrated.member.status, "active");
      assert.equal(migrated.member.email_address_verified, true);
      assert.match(migrated.member.member_password_id, /^member-password-test-/);
      assert.equal(migrated.organization.organization_id, org.organization_id);
      assert.ok(
        (await storedHash(migrated.member_id)).startsWith(`$gatehouse-import$${name.split(" ")[0]}$`),
      );

      await assert.rejects(login(email, `${password}x`), { error_type: "unauthorized_credentials" });
      const auth = await login(email, password);
      assert.equal(auth.member_id, migrated.member_id);
      assert.ok((await storedHash(migrated.member_id)).startsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
      assert.equal((await login(email, password)).member_id, migrated.member_id);
    });
  }

  it("imports a phpass hash (the phpass reference vector)", async () => {
    const email = `php-${uniq()}@${org.domain}`;
    await migrate(email, { hash_type: "phpass", hash: "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0" });
    await assert.rejects(login(email, "test12346"), { error_type: "unauthorized_credentials" });
    assert.ok((await login(email, "test12345")).member_id);
  });

  it("verifies an imported hash over the raw password, not its NFKC form", async () => {
    const email = `raw-${uniq()}@${org.domain}`;
    const decomposed = `Cafe\u0301 ${uniq()} terrace`; // "é" as e + combining acute: NFKC would recompose it
    assert.notEqual(decomposed, decomposed.normalize("NFKC"));
    await migrate(email, { hash_type: "sha_1", hash: createHash("sha1").update(decomposed).digest("hex") });
    assert.ok((await login(email, decomposed)).member_id);
    // Rehashed with Gatehouse's NFKC rule: both forms verify from now on.
    assert.ok((await login(email, decomposed.normalize("NFKC"))).member_id);
  });

  it("refuses a bcrypt password longer than 72 bytes instead of matching its prefix", async () => {
    const email = `bc-${uniq()}@${org.domain}`;
    const long = `${"correct-horse-".repeat(6)}${uniq()}`; // > 72 bytes
    await migrate(email, { hash_type: "bcrypt", hash: await bcrypt.hash(long, 4) });
    await assert.rejects(login(email, long), { error_type: "unauthorized_credentials" });
  });

  it("sets the hash on an existing member, revoking its sessions unless preserve_existing_sessions", async () => {
    const member = await activeMember(server, org);
    const password = `Existing ${uniq()} harbor`;
    const migrated = await migrate(member.email, {
      hash_type: "md_5",
      hash: createHash("md5").update(password).digest("hex"),
      name: "Ignored",
      external_id: "ignored-id",
    });
    assert.equal(migrated.member_created, false);
    assert.equal(migrated.member_id, member.member_id);
    assert.equal(migrated.member.name, "", "profile fields only apply to new members");
    await assert.rejects(server.client.sessions.authenticate({ session_token: member.session_token }), {
      error_type: "session_not_found",
    });
    const kept = await activeMember(server, org);
    await migrate(kept.email, {
      hash_type: "sha_1",
      hash: createHash("sha1").update(password).digest("hex"),
      preserve_existing_sessions: true,
    });
    await server.client.sessions.authenticate({ session_token: kept.session_token });
    assert.equal((await login(kept.email, password)).member_id, kept.member_id);
  });

  it("applies the profile fields to a new member", async () => {
    const migrated = await migrate(`prof-${uniq()}@${org.domain}`, {
      hash_type: "bcrypt",
      hash: await bcrypt.hash("whatever-it-was", 4),
      name: "Ada Lovelace",
      trusted_metadata: { plan: "gold" },
      untrusted_metadata: { theme: "dark" },
      roles: ["stytch_admin"],
      external_id: `ext-${uniq()}`,
    });
    assert.equal(migrated.member.name, "Ada Lovelace");
    assert.deepEqual(migrated.member.trusted_metadata, { plan: "gold" });
    assert.deepEqual(migrated.member.untrusted_metadata, { theme: "dark" });
    assert.equal(migrated.member.is_admin, true);
    assert.match(migrated.member.external_id ?? "", /^ext-/);
  });

  it("refuses hashes whose cost parameters exceed the bounds with 400 invalid_hash_config", async () => {
    const chars53 = "a".repeat(53);
    const refusals: Record<string, unknown>[] = [
      { hash_type: "bcrypt", hash: `$2b$16$${chars53}` },
      { hash_type: "bcrypt", hash: `$2b$31$${chars53}` },
      {
        hash_type: "argon_2id",
        hash: "$argon2id$v=19$m=4194304,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
      },
      {
        hash_type: "argon_2id",
        hash: "$argon2id$v=19$m=65536,t=11,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
      },
      {
        hash_type: "scrypt",
        hash: randomBytes(32).toString("base64"),
        scrypt_config: {
          salt: salt64,
          n_parameter: 2 ** 18,
          r_parameter: 8,
          p_parameter: 1,
          key_length: 32,
        },
      },
      {
        hash_type: "scrypt",
        hash: randomBytes(32).toString("base64"),
        scrypt_config: { salt: salt64, n_parameter: 1000, r_parameter: 8, p_parameter: 1, key_length: 32 },
      },
      {
        hash_type: "scrypt",
        hash: randomBytes(32).toString("base64"),
        scrypt_config: { salt: salt64, n_parameter: 1024, r_parameter: 9, p_parameter: 1, key_length: 32 },
      },
      { hash_type: "scrypt", hash: randomBytes(32).toString("base64") },
      {
        hash_type: "pbkdf_2",
        hash: randomBytes(32).toString("base64"),
        pbkdf_2_config: { salt: salt64, iteration_amount: 10_000_001, key_length: 32, algorithm: "sha256" },
      },
      {
        hash_type: "pbkdf_2",
        hash: randomBytes(32).toString("base64"),
        pbkdf_2_config: { salt: salt64, iteration_amount: 1000, key_length: 32, algorithm: "md5" },
      },
      {
        hash_type: "pbkdf_2",
        hash: randomBytes(8).toString("base64"),
        pbkdf_2_config: { salt: salt64, iteration_amount: 1000, key_length: 8, algorithm: "sha256" },
      },
      { hash_type: "phpass", hash: "$P$HIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0" },
    ];
    for (const fields of refusals) {
      await assert.rejects(
        migrate(`dos-${uniq()}@${org.domain}`, fields),
        { error_type: "invalid_hash_config", status_code: 400 },
        JSON.stringify(fields),
      );
    }
  });

  it("refuses malformed hashes and unknown hash types with 400 invalid_hash", async () => {
    const refusals: Record<string, unknown>[] = [
      { hash_type: "bcrypt", hash: "not-a-bcrypt-hash" },
      { hash_type: "md_5", hash: "abc" },
      { hash_type: "sha_512", hash: createHash("sha1").update("x").digest("hex") },
      {
        hash_type: "argon_2i",
        hash: await argon2Hash("pw", { algorithm: ARGON2ID, memoryCost: 1024, timeCost: 1 }),
      },
      {
        hash_type: "scrypt",
        hash: "***",
        scrypt_config: { salt: salt64, n_parameter: 1024, r_parameter: 8, p_parameter: 1, key_length: 32 },
      },
      {
        hash_type: "scrypt",
        hash: randomBytes(16).toString("base64"),
        scrypt_config: { salt: salt64, n_parameter: 1024, r_parameter: 8, p_parameter: 1, key_length: 32 },
      },
      { hash_type: "whirlpool", hash: "00" },
    ];
    for (const fields of refusals) {
      await assert.rejects(
        migrate(`bad-${uniq()}@${org.domain}`, fields),
        { error_type: "invalid_hash", status_code: 400 },
        JSON.stringify(fields),
      );
    }
    await assert.rejects(
      migrate(`role-${uniq()}@${org.domain}`, { hash_type: "md_5", hash: "0".repeat(32), roles: ["root"] }),
      { error_type: "invalid_role", status_code: 400 },
    );
    await assert.rejects(migrate("not-an-email", { hash_type: "md_5", hash: "0".repeat(32) }), {
      error_type: "invalid_email",
      status_code: 400,
    });
  });
});
