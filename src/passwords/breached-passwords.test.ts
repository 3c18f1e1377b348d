import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as common from "@zxcvbn-ts/language-common";
import { breachedKey, breachedSet, inBreachedList, inSortedList, sortedList } from "./breached-passwords.js";

describe("the breached-password list's compact form", () => {
  it("sorts the distinct lower-cased entries into one text with their starts", () => {
    const list = sortedList(["b", "A", "a", "c", 12]);
    assert.equal(list.text, "12\na\nb\nc\n");
    assert.deepEqual([...list.starts], [0, 3, 5, 7, 9]);
    for (const key of ["12", "a", "b", "c"]) assert.equal(inSortedList(list, key), true, key);
    for (const key of ["", "0", "1", "12\na", "a\n", "ab", "d", "A"])
      assert.equal(inSortedList(list, key), false, key);
    assert.equal(inSortedList(sortedList([]), "a"), false);
  });

  it("finds every entry of zxcvbn's password list, in any case, and only whole entries", () => {
    const passwords = common.dictionary.passwords;
    const list = sortedList(passwords);
    for (const password of passwords) {
      assert.equal(inSortedList(list, breachedKey(String(password))), true, String(password));
      assert.equal(inSortedList(list, breachedKey(String(password).toUpperCase())), true, String(password));
    }
    // Everything else answers as the Set the strength worker uses does: prefixes and extensions of entries
    // (often entries themselves), and keys that span two entries or end in the separator.
    const set = breachedSet(passwords);
    const probes = ["", "zebra-mountain-kestrel", "123456\npassword", "password\n", "\n"];
    for (const password of passwords.slice(0, 2000)) {
      const key = String(password).toLowerCase();
      probes.push(key.slice(0, -1), `${key}~`, `${key}!`, `0${key}`);
    }
    for (const probe of probes) {
      assert.equal(inSortedList(list, probe), set.has(probe), JSON.stringify(probe));
    }
    assert.equal(inSortedList(list, "123456\npassword"), false);
  });

  it("answers the main thread's look-ups from the list a worker loaded", async () => {
    assert.deepEqual(
      await Promise.all(
        ["Password1234", "DRAGON", "zebra-mountain-kestrel", "ｐａｓｓｗｏｒｄ"].map(inBreachedList),
      ),
      [true, true, false, true],
      "full-width letters are NFKC-normalised first",
    );
  });
});
