import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../shared/clock.js";
import type { ChangeFeed } from "../storage/change-feed.js";
import { answerValidUntil, MAX_KEPT_ANSWERS, SessionAnswerCache } from "./answer-cache.js";

/** A feed whose version the test moves by hand (null: "cannot tell"). */
function feed(): ChangeFeed & { current: number | null } {
  const f = {
    current: 1 as number | null,
    version: () => f.current,
    close: async () => {},
  };
  return f;
}

describe("SessionAnswerCache", () => {
  const start = 1_700_000_000_000; // the start of a second

  it("keys only plain checks with exactly one credential, per project, never by the raw credential", () => {
    const key = SessionAnswerCache.keyOf("project-a", { session_token: "tok" });
    assert.ok(key?.startsWith("project-a:t:"));
    assert.ok(!key?.includes("tok"), "the key holds a digest, not the token");
    assert.notEqual(key, SessionAnswerCache.keyOf("project-b", { session_token: "tok" }));
    assert.notEqual(key, SessionAnswerCache.keyOf("project-a", { session_jwt: "tok" }));
    assert.equal(SessionAnswerCache.keyOf("p", {}), null);
    assert.equal(SessionAnswerCache.keyOf("p", { session_token: "a", session_jwt: "b" }), null);
    assert.equal(SessionAnswerCache.keyOf("p", { session_token: "a", session_duration_minutes: 60 }), null);
    assert.equal(SessionAnswerCache.keyOf("p", { session_token: "a", session_custom_claims: {} }), null);
    assert.equal(SessionAnswerCache.keyOf("p", { session_jwt: "a", authorization_check: {} }), null);
  });

  it("serves an answer for the rest of the second it was made in, and not after", () => {
    const clock = new ManualClock(start + 100);
    const changes = feed();
    const cache = new SessionAnswerCache<string>(changes, clock);
    const version = cache.begin();
    cache.put("k", "answer", version, start + 100, start + 60_000);
    clock.advance(899);
    assert.equal(cache.get("k"), "answer");
    clock.advance(1);
    assert.equal(cache.get("k"), undefined, "a new second drops it");
  });

  it("drops every answer once the feed moves, and keeps none while the feed cannot tell", () => {
    const clock = new ManualClock(start);
    const changes = feed();
    const cache = new SessionAnswerCache<string>(changes, clock);
    cache.put("k", "answer", cache.begin(), start, start + 60_000);
    assert.equal(cache.get("k"), "answer");
    changes.current = 2;
    assert.equal(cache.get("k"), undefined);

    changes.current = null;
    cache.put("k", "answer", cache.begin(), start, start + 60_000);
    assert.equal(cache.get("k"), undefined, "a null version is never kept");
  });

  it("serves an alias exactly as long as the answer it names: the same version, lifetime and second", () => {
    const clock = new ManualClock(start);
    const changes = feed();
    const cache = new SessionAnswerCache<string>(changes, clock);
    cache.put("k", "answer", cache.begin(), start, start + 60_000);
    cache.alias("k", "spelling");
    cache.alias("missing", "nothing");
    assert.equal(cache.get("spelling"), "answer");
    assert.equal(cache.get("nothing"), undefined, "an alias of nothing keeps nothing");
    changes.current = 2;
    assert.equal(cache.get("spelling"), undefined, "a write drops the alias with the answer");
  });

  it("refuses an answer read before a change that lands before it is kept", () => {
    const clock = new ManualClock(start);
    const changes = feed();
    const cache = new SessionAnswerCache<string>(changes, clock);
    const version = cache.begin(); // the read starts…
    changes.current = 2; // …a write commits meanwhile…
    cache.put("k", "maybe stale", version, start, start + 60_000); // …the answer is kept under the old version
    assert.equal(cache.get("k"), undefined);
  });

  it("does not keep an answer that speaks for an earlier second", () => {
    const clock = new ManualClock(start + 1000);
    const cache = new SessionAnswerCache<string>(feed(), clock);
    cache.put("k", "old", cache.begin(), start + 999, start + 60_000);
    assert.equal(cache.get("k"), undefined);
  });

  it("never serves an answer at or past the instant it stops being true", () => {
    const clock = new ManualClock(start);
    const cache = new SessionAnswerCache<string>(feed(), clock);
    cache.put("k", "answer", cache.begin(), start, start + 500);
    clock.advance(499);
    assert.equal(cache.get("k"), "answer");
    clock.advance(1);
    assert.equal(cache.get("k"), undefined);
  });

  it("keeps at most MAX_KEPT_ANSWERS answers within one second", () => {
    const clock = new ManualClock(start);
    const cache = new SessionAnswerCache<string>(feed(), clock);
    for (let i = 0; i <= MAX_KEPT_ANSWERS; i++) cache.put(`k${i}`, "a", cache.begin(), start, start + 60_000);
    assert.equal(cache.get(`k${MAX_KEPT_ANSWERS - 1}`), "a");
    assert.equal(cache.get(`k${MAX_KEPT_ANSWERS}`), undefined);
  });

  it("ends an answer when the session expires or, sooner, when the member's lock ends", () => {
    const now = start;
    const session = { expires_at: now + 10_000 };
    assert.equal(answerValidUntil({ session, member: { lock_expires_at: null } }, now), now + 10_000);
    assert.equal(answerValidUntil({ session, member: { lock_expires_at: now + 300 } }, now), now + 300);
    assert.equal(answerValidUntil({ session, member: { lock_expires_at: now - 1 } }, now), now + 10_000);
    assert.equal(answerValidUntil({ session, member: { lock_expires_at: now + 20_000 } }, now), now + 10_000);
  });
});
