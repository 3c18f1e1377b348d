/**
 * The breached-password list: zxcvbn's common-password dictionary (≈49,000 passwords, ranked by how often they
 * appear in public breach corpora). It ships with @zxcvbn-ts/language-common, so the check works offline and
 * leaks nothing; it covers ASVS 5.0 6.2.4 (the top 3000 and more). Compared after NFKC, case-insensitively.
 * Every entry is ASCII and at most 20 characters long, which lets strength.ts answer "not breached" for
 * over-long input without looking.
 *
 * Two holders: the strength worker (for checks that also run zxcvbn) and, for the breach check alone that
 * every password login makes (`breach_check_on_authentication`), the main thread, loaded on the first such
 * check. The list alone is ≈9 MB; zxcvbn's full dictionaries, which stay in the worker, are ≈48 MB. Keeping
 * logins off the worker means the worker (and its memory) is only up while passwords are being set.
 */
export function breachedSet(passwords: readonly unknown[]): ReadonlySet<string> {
  return new Set(passwords.map((p) => String(p).toLowerCase()));
}

/** The form a password is looked up in. */
export function breachedKey(password: string): string {
  return password.normalize("NFKC").toLowerCase();
}

let local: Promise<ReadonlySet<string>> | null = null;

/** The main thread's look-up; the list is imported on first use only. */
export async function inBreachedList(password: string): Promise<boolean> {
  local ??= import("@zxcvbn-ts/language-common").then((m) => breachedSet(m.dictionary.passwords));
  return (await local).has(breachedKey(password));
}
