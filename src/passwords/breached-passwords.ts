import { Worker } from "node:worker_threads";
import { workerEntry } from "../shared/worker-entry.js";

/**
 * The breached-password list: zxcvbn's common-password dictionary (≈49,000 passwords, ranked by how often they
 * appear in public breach corpora). It ships with @zxcvbn-ts/language-common, so the check works offline and
 * leaks nothing; it covers ASVS 5.0 6.2.4 (the top 3000 and more). Compared after NFKC, case-insensitively.
 * Every entry is ASCII and at most 20 characters long, which lets strength.ts answer "not breached" for
 * over-long input without looking.
 *
 * Two holders: the strength worker (a Set, for checks that also run zxcvbn) and, for the breach check alone
 * that every password login makes (`breach_check_on_authentication`), the main thread. The main thread never
 * imports the package: loading it there held the event loop for 70–90 ms at the first login after a start
 * (compiling the module, building the Set), stalling every request in flight, and kept the module (cached for
 * good) and a Set of 49,000 strings. A short-lived worker (breached-list-worker.ts) loads it at the first login
 * instead and hands back a SortedList of ≈0.6 MB. That login waits 170–240 ms for it; the event loop's longest
 * delay meanwhile was under 5 ms. The heap after a full GC is ≈2.5 MB smaller; RSS did not change measurably
 * (a worker's start-up costs native memory too).
 */
export function breachedSet(passwords: readonly unknown[]): ReadonlySet<string> {
  return new Set(passwords.map((p) => String(p).toLowerCase()));
}

/** The form a password is looked up in. */
export function breachedKey(password: string): string {
  return password.normalize("NFKC").toLowerCase();
}

/**
 * The list in two flat pieces: `text`, the distinct lower-cased entries sorted by code unit and each followed by
 * a newline, and `starts[i]`, where entry i begins in `text` (one more element: text.length). A one-byte string
 * of ≈390 KB and a typed array of ≈200 KB, against ≈49,000 strings in a Set.
 */
export interface SortedList {
  text: string;
  starts: Uint32Array;
}

export function sortedList(passwords: readonly unknown[]): SortedList {
  const entries = [...breachedSet(passwords)].sort();
  const starts = new Uint32Array(entries.length + 1);
  let at = 0;
  entries.forEach((entry, i) => {
    starts[i] = at;
    at += entry.length + 1;
  });
  starts[entries.length] = at;
  return { text: entries.length > 0 ? `${entries.join("\n")}\n` : "", starts };
}

/** Binary search for `key` (already a breachedKey) among the list's entries, whole entries only. */
export function inSortedList(list: SortedList, key: string): boolean {
  let low = 0;
  let high = list.starts.length - 2;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const entry = list.text.slice(list.starts[middle], (list.starts[middle + 1] ?? 0) - 1);
    if (entry === key) return true;
    if (entry < key) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/** How long the first look-up may wait for the worker (it answers in a fraction of a second). */
const LOAD_TIMEOUT_MS = 10_000;

/**
 * Loads the list in a worker that is terminated once it has answered (breached-list-worker.ts). A worker that
 * fails, exits or does not answer within LOAD_TIMEOUT_MS rejects, so no login waits on it for ever.
 */
function loadInWorker(): Promise<SortedList> {
  const { entry, options } = workerEntry(import.meta.url, "breached-list-worker");
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry, options);
    const timer = setTimeout(() => {
      reject(new Error(`the breached-list worker did not answer within ${LOAD_TIMEOUT_MS} ms`));
      void worker.terminate();
    }, LOAD_TIMEOUT_MS);
    const settle = () => clearTimeout(timer);
    worker.once("message", (list: SortedList) => {
      settle();
      resolve(list);
      void worker.terminate();
    });
    worker.once("error", (error) => {
      settle();
      reject(error);
    });
    worker.once("exit", (code) => {
      settle();
      reject(new Error(`breached-list worker exited with code ${code}`));
    });
  });
}

let local: Promise<SortedList> | null = null;

/** The main thread's look-up; the list is loaded on first use only. A failed load is retried by the next call. */
export async function inBreachedList(password: string): Promise<boolean> {
  local ??= loadInWorker().catch((error: unknown) => {
    local = null;
    throw error;
  });
  return inSortedList(await local, breachedKey(password));
}
