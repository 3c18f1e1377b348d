import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rfc3339 } from "./clock.js";

describe("rfc3339", () => {
  it("formats whole seconds in UTC, dropping milliseconds, the same on a repeat", () => {
    assert.equal(rfc3339(Date.UTC(2021, 11, 29, 12, 33, 9, 999)), "2021-12-29T12:33:09Z");
    assert.equal(rfc3339(Date.UTC(2021, 11, 29, 12, 33, 9, 0)), "2021-12-29T12:33:09Z");
    assert.equal(rfc3339(Date.UTC(2021, 11, 29, 12, 33, 9, 500)), "2021-12-29T12:33:09Z");
    assert.equal(rfc3339(0), "1970-01-01T00:00:00Z");
    assert.equal(rfc3339(-1), "1969-12-31T23:59:59Z", "before the epoch, rounded down like toISOString");
  });

  it("agrees with toISOString for every millisecond of a span, cached or not", () => {
    const start = Date.UTC(2026, 10, 25, 23, 59, 58);
    for (let ms = start; ms < start + 3000; ms += 7) {
      assert.equal(rfc3339(ms), new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"));
    }
  });
});
