import assert from "node:assert/strict";
import { pbkdf2 } from "node:crypto";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { decodeProtectedHeader } from "jose";
import { MemoryKeysStore } from "../../test/helpers/memory-keys-store.js";
import { ServerKey } from "../crypto/server-key.js";
import { ManualClock } from "../shared/clock.js";
import { SigningKeys } from "./signing-keys.js";

describe("SigningKeys: where a signature runs", () => {
  it("signs on libuv's thread pool only while the composition root allows it, in line otherwise", async () => {
    let offload = false;
    const keys = new SigningKeys(new MemoryKeysStore(), new ManualClock(), ServerKey.random(), () => offload);
    const p = "project-test-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
    await keys.createKey(p, "test"); // key generation uses the pool too: done before the pool is filled

    // Every pool thread busy with slow jobs (more jobs than any pool size Gatehouse sets), as during a burst of
    // password hashes: a signature queued on the pool waits for them, one made in line does not.
    const pbkdf2Async = promisify(pbkdf2);
    let poolJobsDone = 0;
    const blockers = Array.from({ length: 64 }, () =>
      pbkdf2Async("password", "salt", 40_000, 32, "sha256").then(() => {
        poolJobsDone++;
      }),
    );
    const inline = await keys.signJwt(p, { sub: "member-test-inline" }, 1_700_000_000);
    assert.equal(poolJobsDone, 0, "in line: signed before any pool job finished");

    offload = true;
    const pooled = await keys.signJwt(p, { sub: "member-test-pool" }, 1_700_000_000);
    assert.ok(poolJobsDone > 0, "on the pool: signed only after pool jobs queued before it");
    await Promise.all(blockers);

    // Both are real signatures by the project's key.
    for (const jws of [inline, pooled]) {
      const { kid } = decodeProtectedHeader(jws);
      assert.equal(await keys.verifyJws(p, String(kid), jws), true);
    }
  });
});
