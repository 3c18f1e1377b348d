import { zxcvbn, zxcvbnOptions } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as english from "@zxcvbn-ts/language-en";
import type { PasswordPolicy } from "../projects/project.js";

zxcvbnOptions.setOptions({
  translations: english.translations,
  graphs: common.adjacencyGraphs,
  dictionary: { ...common.dictionary, ...english.dictionary },
  // zxcvbn runs on the event loop and its l33t matcher is combinatorial: with the default 100 substitutions a
  // 64-character password took ~200 ms here, with 4 it takes ~15 ms and scores ordinary passwords the same.
  l33tMaxSubstitutions: 4,
});

/**
 * zxcvbn analyses at most this many leading code points. A password whose first 64 characters are already
 * strong is strong; one that is weak there (e.g. 70 × "a") is refused. Longer input is still hashed whole.
 */
const ANALYSED_CODE_POINTS = 64;

/**
 * The breached-password list: zxcvbn's common-password dictionary (≈49,000 passwords, ranked by how often they
 * appear in public breach corpora). It ships with the package, so the check works offline and leaks nothing;
 * it covers ASVS 5.0 6.2.4 (the top 3000 and more). Compared case-insensitively.
 */
const BREACHED = new Set(common.dictionary.passwords.map((p) => String(p).toLowerCase()));

/** Hard bounds before any analysis or hashing: long inputs are refused, never truncated (PW-2, PW-3). */
export const MAX_PASSWORD_CODE_POINTS = 256;
export const MAX_PASSWORD_BYTES = 1024;

export interface StrengthResult {
  valid_password: boolean;
  score: number;
  breached_password: boolean;
  strength_policy: "zxcvbn" | "luds";
  breach_detection_on_create: boolean;
  zxcvbn_feedback: { warning: string; suggestions: string[] };
  luds_feedback: {
    has_lower_case: boolean;
    has_upper_case: boolean;
    has_digit: boolean;
    has_symbol: boolean;
    missing_complexity: number;
    missing_characters: number;
  };
}

/** True when the password is longer than any password Gatehouse accepts. */
export function exceedsPasswordLimits(password: string): boolean {
  // The UTF-16 length check first: it bounds the cost of the other two on huge inputs.
  return (
    password.length > MAX_PASSWORD_BYTES ||
    [...password].length > MAX_PASSWORD_CODE_POINTS ||
    Buffer.byteLength(password, "utf8") > MAX_PASSWORD_BYTES
  );
}

export function isBreached(password: string): boolean {
  return BREACHED.has(password.normalize("NFKC").toLowerCase());
}

/**
 * Evaluates a password under the project's policy (docs/stytch-b2b-api.md §5.4, §7.1). Both feedback objects
 * are always present, the inactive one zeroed, because Stytch's UI reads them without null checks.
 * `userInputs` (email, its local part, organization name and slug) count against the password (PW-7).
 */
export function checkStrength(
  password: string,
  policy: PasswordPolicy,
  userInputs: string[] = [],
): StrengthResult {
  const tooLong = exceedsPasswordLimits(password);
  const breached = policy.breach_check_on_create && isBreached(password);
  const luds = ludsFeedback(password, policy);
  const lower = password.toLowerCase();
  const containsUserInput = userInputs.some(
    (input) => input.length >= 4 && lower.includes(input.toLowerCase()),
  );

  if (policy.strength_policy === "luds") {
    const valid = !tooLong && !breached && luds.missing_characters === 0 && luds.missing_complexity === 0;
    return {
      valid_password: valid,
      score: 0,
      breached_password: breached,
      strength_policy: "luds",
      breach_detection_on_create: policy.breach_check_on_create,
      zxcvbn_feedback: { warning: "", suggestions: [] },
      luds_feedback: luds,
    };
  }

  // zxcvbn's cost grows with length; long inputs are refused above, so analyse only what could be valid.
  const result = tooLong ? null : zxcvbn([...password].slice(0, ANALYSED_CODE_POINTS).join(""), userInputs);
  const score = result?.score ?? 0;
  const warning = tooLong
    ? `Passwords may be at most ${MAX_PASSWORD_CODE_POINTS} characters.`
    : breached
      ? "This password appears in a list of breached passwords."
      : containsUserInput && score >= 3
        ? "The password contains your email address or the organization's name."
        : (result?.feedback.warning ?? "");
  return {
    valid_password: !tooLong && !breached && !containsUserInput && score >= 3,
    score,
    breached_password: breached,
    strength_policy: "zxcvbn",
    breach_detection_on_create: policy.breach_check_on_create,
    zxcvbn_feedback: { warning, suggestions: result?.feedback.suggestions ?? [] },
    luds_feedback: { ...luds, missing_characters: 0, missing_complexity: 0 },
  };
}

function ludsFeedback(password: string, policy: PasswordPolicy): StrengthResult["luds_feedback"] {
  const has_lower_case = /[a-z]/.test(password);
  const has_upper_case = /[A-Z]/.test(password);
  const has_digit = /[0-9]/.test(password);
  // Stytch counts any character outside a–z and A–Z as a symbol, digits included.
  const has_symbol = /[^a-zA-Z]/.test(password);
  const classes = [has_lower_case, has_upper_case, has_digit, has_symbol].filter(Boolean).length;
  return {
    has_lower_case,
    has_upper_case,
    has_digit,
    has_symbol,
    missing_complexity: Math.max(0, policy.luds_min_password_complexity - classes),
    missing_characters: Math.max(0, policy.luds_min_password_length - [...password].length),
  };
}
