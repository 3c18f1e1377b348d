import type { PasswordPolicy } from "../projects/project.js";
import { inBreachedList } from "./breached-passwords.js";
import { createStrengthWorkerClient } from "./strength-client.js";

/**
 * zxcvbn runs in a worker thread (strength-worker.ts), started on first use and stopped when idle
 * (strength-client.ts): this module must not import @zxcvbn-ts/core or its dictionaries, so that an idle server
 * does not carry their ~48 MB and no analysis blocks the event loop. Only a compact copy of the breached list is
 * kept here, handed over by a short-lived worker at the first breach check of a login (breached-passwords.ts).
 * The limits and LUDS need no dictionary and are answered here; the worker is asked only when its answer can
 * change the result.
 */
const strengthWorker = createStrengthWorkerClient();

/**
 * zxcvbn analyses at most this many leading code points. A password whose first 64 characters are already
 * strong is strong; one that is weak there (e.g. 70 × "a") is refused. Longer input is still hashed whole.
 */
const ANALYSED_CODE_POINTS = 64;

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

/**
 * True when the password (NFKC, case-insensitively) is in the breached list (breached-passwords.ts), looked up
 * on this thread (in the compact copy): logins make this check, and should neither wait for nor keep up the
 * zxcvbn worker. Every entry is ASCII and at most 20 characters; NFKC and lower-casing never turn more than
 * 256 code points into such a string, so input over the limits is answered "no" without looking.
 */
export async function isBreached(password: string): Promise<boolean> {
  if (exceedsPasswordLimits(password)) return false;
  return inBreachedList(password);
}

/**
 * Evaluates a password under the project's policy (docs/stytch-b2b-api.md §5.4, §7.1). Both feedback objects
 * are always present, the inactive one zeroed, because Stytch's UI reads them without null checks.
 * `userInputs` (email, its local part, organization name and slug) count against the password (PW-7).
 */
export async function checkStrength(
  password: string,
  policy: PasswordPolicy,
  userInputs: string[] = [],
): Promise<StrengthResult> {
  const tooLong = exceedsPasswordLimits(password);
  // One round trip to the worker for both questions, none when neither applies: an over-long password is
  // neither breached (see isBreached) nor analysed, and LUDS needs only the breach check.
  const lookUp = policy.breach_check_on_create && !tooLong;
  // zxcvbn's cost grows with length; long inputs are refused, so analyse only what could be valid.
  const analyse = policy.strength_policy === "zxcvbn" && !tooLong;
  const answer =
    lookUp || analyse
      ? await strengthWorker.run({
          breach: lookUp ? password : null,
          zxcvbn: analyse
            ? { password: [...password].slice(0, ANALYSED_CODE_POINTS).join(""), userInputs }
            : null,
        })
      : null;
  const breached = answer?.breached ?? false;
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

  const result = answer?.zxcvbn ?? null;
  const score = result?.score ?? 0;
  const warning = tooLong
    ? `Passwords may be at most ${MAX_PASSWORD_CODE_POINTS} characters.`
    : breached
      ? "This password appears in a list of breached passwords."
      : containsUserInput && score >= 3
        ? "The password contains your email address or the organization's name."
        : (result?.warning ?? "");
  return {
    valid_password: !tooLong && !breached && !containsUserInput && score >= 3,
    score,
    breached_password: breached,
    strength_policy: "zxcvbn",
    breach_detection_on_create: policy.breach_check_on_create,
    zxcvbn_feedback: { warning, suggestions: result?.suggestions ?? [] },
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
