import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { DEFAULT_PROJECT_SETTINGS, type PasswordPolicy } from "../projects/project.js";
import { checkStrength, isBreached, MAX_PASSWORD_CODE_POINTS, type StrengthResult } from "./strength.js";

const ZXCVBN: PasswordPolicy = DEFAULT_PROJECT_SETTINGS.password_policy;
const LUDS: PasswordPolicy = {
  ...DEFAULT_PROJECT_SETTINGS.password_policy,
  strength_policy: "luds",
  luds_min_password_length: 8,
  luds_min_password_complexity: 3,
};
const STRONG = "zebra-mountain-kestrel-jdoe42";

function assertShape(result: StrengthResult): void {
  assert.equal(typeof result.zxcvbn_feedback.warning, "string");
  assert.ok(Array.isArray(result.zxcvbn_feedback.suggestions));
  for (const key of [
    "has_lower_case",
    "has_upper_case",
    "has_digit",
    "has_symbol",
    "missing_complexity",
    "missing_characters",
  ] as const) {
    assert.ok(key in result.luds_feedback, `luds_feedback.${key} is present`);
  }
}

describe("checkStrength with the zxcvbn policy", () => {
  it("accepts a password scoring 3 or more", async () => {
    const result = await checkStrength(STRONG, ZXCVBN);
    assert.ok(result.score >= 3);
    assert.equal(result.valid_password, true);
    assert.equal(result.breached_password, false);
    assert.equal(result.strength_policy, "zxcvbn");
    assert.equal(result.breach_detection_on_create, true);
    assertShape(result);
    // The inactive LUDS feedback is zeroed.
    assert.equal(result.luds_feedback.missing_characters, 0);
    assert.equal(result.luds_feedback.missing_complexity, 0);
  });

  it("refuses a password scoring below 3, with feedback", async () => {
    const result = await checkStrength("abc12", ZXCVBN);
    assert.ok(result.score < 3);
    assert.equal(result.valid_password, false);
    assertShape(result);
    assert.ok(result.zxcvbn_feedback.warning.length > 0 || result.zxcvbn_feedback.suggestions.length > 0);
  });

  for (const password of ["password1234", "qwertyuiop123", "PASSWORD1234", "QwertyUiop123"]) {
    it(`flags ${password} as breached and invalid`, async () => {
      assert.equal(await isBreached(password), true);
      const result = await checkStrength(password, ZXCVBN);
      assert.equal(result.breached_password, true);
      assert.equal(result.valid_password, false);
      assert.match(result.zxcvbn_feedback.warning, /breached/);
      assertShape(result);
    });
  }

  it("does not report a breach when breach_check_on_create is off", async () => {
    const result = await checkStrength("password1234", { ...ZXCVBN, breach_check_on_create: false });
    assert.equal(result.breached_password, false);
    assert.equal(result.breach_detection_on_create, false);
    assert.equal(result.valid_password, false, "still too weak by score");
  });

  it(`refuses a password over ${MAX_PASSWORD_CODE_POINTS} code points without analysing it`, async () => {
    // A varied 257-character string zxcvbn would score 4; the length bound answers first.
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*";
    const long = Array.from(
      { length: MAX_PASSWORD_CODE_POINTS + 1 },
      (_, i) => alphabet[(i * 37 + 11) % 70],
    ).join("");
    const started = performance.now();
    const result = await checkStrength(long, ZXCVBN);
    const elapsed = performance.now() - started;
    assert.equal(result.valid_password, false);
    assert.equal(result.score, 0);
    assert.equal(
      result.zxcvbn_feedback.warning,
      `Passwords may be at most ${MAX_PASSWORD_CODE_POINTS} characters.`,
    );
    assert.deepEqual(result.zxcvbn_feedback.suggestions, []);
    // zxcvbn takes seconds on a string this long; refusing it up front is near-instant.
    assert.ok(elapsed < 500, `took ${elapsed} ms`);
    assertShape(result);
  });

  it("counts the bound in code points: 257 emoji are too long", async () => {
    const result = await checkStrength("😀".repeat(MAX_PASSWORD_CODE_POINTS + 1), ZXCVBN);
    assert.equal(result.valid_password, false);
    assert.equal(result.score, 0);
    assert.match(result.zxcvbn_feedback.warning, /at most/);
  });

  it("refuses a password containing the email's local part", async () => {
    assert.equal((await checkStrength(STRONG, ZXCVBN)).valid_password, true);
    const result = await checkStrength(STRONG, ZXCVBN, ["jdoe42@example.com", "jdoe42"]);
    assert.equal(result.valid_password, false);
    assert.match(result.zxcvbn_feedback.warning, /email address/);
    assertShape(result);
  });

  it("matches user inputs case-insensitively", async () => {
    const result = await checkStrength("zebra-mountain-kestrel-JDoe42", ZXCVBN, ["jdoe42"]);
    assert.equal(result.valid_password, false);
  });
});

describe("checkStrength with the LUDS policy", () => {
  it("computes missing characters and complexity for a short one-class password", async () => {
    const result = await checkStrength("abc", LUDS);
    assert.equal(result.strength_policy, "luds");
    assert.equal(result.valid_password, false);
    assert.equal(result.score, 0);
    assert.deepEqual(result.luds_feedback, {
      has_lower_case: true,
      has_upper_case: false,
      has_digit: false,
      has_symbol: false,
      missing_complexity: 2,
      missing_characters: 5,
    });
    // The inactive zxcvbn feedback is present and empty.
    assert.deepEqual(result.zxcvbn_feedback, { warning: "", suggestions: [] });
  });

  it("reports only missing complexity when the length is enough", async () => {
    const result = await checkStrength("abcdefgh", LUDS);
    assert.equal(result.luds_feedback.missing_characters, 0);
    assert.equal(result.luds_feedback.missing_complexity, 2);
    assert.equal(result.valid_password, false);
  });

  it("accepts a password meeting length and complexity, with score 0", async () => {
    const result = await checkStrength("Xyzzyqwv7", LUDS);
    assert.equal(result.valid_password, true);
    assert.equal(result.score, 0);
    assert.equal(result.luds_feedback.missing_characters, 0);
    assert.equal(result.luds_feedback.missing_complexity, 0);
  });

  it("counts any non-letter as a symbol (digits, spaces, accented letters)", async () => {
    const digits = await checkStrength("kqzvwxt9", LUDS);
    assert.equal(digits.luds_feedback.has_digit, true);
    assert.equal(digits.luds_feedback.has_symbol, true);
    // lower + digit + symbol = 3 classes.
    assert.equal(digits.luds_feedback.missing_complexity, 0);
    assert.equal(digits.breached_password, false);
    assert.equal(digits.valid_password, true);

    const space = await checkStrength("abcd efgH", LUDS);
    assert.equal(space.luds_feedback.has_symbol, true);
    assert.equal(space.luds_feedback.has_digit, false);

    const accent = await checkStrength("abcdéfgh", LUDS);
    assert.equal(accent.luds_feedback.has_symbol, true);
    assert.equal(accent.luds_feedback.missing_complexity, 1);
  });

  it("refuses a breached password even when it meets LUDS", async () => {
    const result = await checkStrength("Password1234", LUDS);
    assert.equal(result.luds_feedback.missing_complexity, 0);
    assert.equal(result.luds_feedback.missing_characters, 0);
    assert.equal(result.breached_password, true);
    assert.equal(result.valid_password, false);
  });

  it("refuses a password over the code-point bound even when it meets LUDS", async () => {
    const result = await checkStrength(`Aa1!${"x".repeat(MAX_PASSWORD_CODE_POINTS)}`, LUDS);
    assert.equal(result.luds_feedback.missing_complexity, 0);
    assert.equal(result.valid_password, false);
  });

  it("counts 12 emoji as 12 characters", async () => {
    const emoji = "😀".repeat(12);
    assert.equal(emoji.length, 24, "24 UTF-16 code units");
    const twenty = await checkStrength(emoji, {
      ...LUDS,
      luds_min_password_length: 20,
      luds_min_password_complexity: 1,
    });
    assert.equal(twenty.luds_feedback.missing_characters, 8);
    assert.equal(twenty.valid_password, false);

    const twelve = await checkStrength(emoji, {
      ...LUDS,
      luds_min_password_length: 12,
      luds_min_password_complexity: 1,
    });
    assert.equal(twelve.luds_feedback.missing_characters, 0);
    assert.equal(twelve.luds_feedback.has_symbol, true);
    assert.equal(twelve.luds_feedback.has_lower_case, false);
    assert.equal(twelve.valid_password, true);

    const thirteen = await checkStrength(emoji, {
      ...LUDS,
      luds_min_password_length: 13,
      luds_min_password_complexity: 1,
    });
    assert.equal(thirteen.luds_feedback.missing_characters, 1);
  });
});

/**
 * Runs an ES module script in a new Node process under tsx, so nothing this test file loaded is loaded there;
 * fails if it has not exited within 30 s (a thread left running).
 */
async function runInFreshProcess(script: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), "--input-type=module", "-e", script],
    { timeout: 30_000 },
  );
  return stdout;
}

describe("zxcvbn stays out of the main thread", () => {
  it("answers through the worker, and importing strength.ts loads no @zxcvbn-ts module", async () => {
    // A fresh process, so that nothing else (another test, this file) has loaded zxcvbn. @zxcvbn-ts ships
    // CommonJS, so whatever the main thread loads of it appears in its require.cache; the worker's loads do not.
    const script = `
      import { createRequire } from "node:module";
      const { checkStrength } = await import(${JSON.stringify(new URL("./strength.ts", import.meta.url).href)});
      const { DEFAULT_PROJECT_SETTINGS } = await import(${JSON.stringify(new URL("../projects/project.ts", import.meta.url).href)});
      const result = await checkStrength(${JSON.stringify(STRONG)}, DEFAULT_PROJECT_SETTINGS.password_policy);
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes("@zxcvbn-ts"));
      console.log(JSON.stringify({ valid: result.valid_password, score: result.score, loaded }));
    `;
    const stdout = await runInFreshProcess(script);
    const report = JSON.parse(stdout) as { valid: boolean; score: number; loaded: string[] };
    assert.equal(report.valid, true);
    assert.ok(report.score >= 3);
    assert.deepEqual(report.loaded, []);
  });

  it("answers a login's breach check without loading zxcvbn-ts on the main thread, and exits", async () => {
    const script = `
      import { createRequire } from "node:module";
      const { isBreached } = await import(${JSON.stringify(new URL("./strength.ts", import.meta.url).href)});
      const answers = [await isBreached("Password1234"), await isBreached("zebra-mountain-kestrel")];
      const loaded = Object.keys(createRequire(import.meta.url).cache)
        .filter((p) => p.includes("@zxcvbn-ts"))
        .map((p) => p.split("@zxcvbn-ts/")[1]?.split("/")[0]);
      console.log(JSON.stringify({ answers, loaded: [...new Set(loaded)] }));
    `;
    const stdout = await runInFreshProcess(script);
    const report = JSON.parse(stdout) as { answers: boolean[]; loaded: string[] };
    assert.deepEqual(report.answers, [true, false]);
    // The list comes from a short-lived worker (breached-passwords.ts); the process then exits on its own, so
    // no worker is left running.
    assert.deepEqual(report.loaded, [], "not even the password list's package is loaded here");
  });
});
