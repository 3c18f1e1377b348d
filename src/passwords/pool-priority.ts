import { readlink } from "node:fs/promises";
import { setPriority } from "node:os";

/**
 * Lowers the CPU priority (raises the nice value) of libuv's thread-pool threads, where argon2id hashes run.
 *
 * Why: a burst of logins keeps every core busy hashing (that is the point of argon2id). The event loop, which
 * answers every session check, then competed with the hash threads as an equal, so a 1 ms session check
 * waited for a scheduler slice behind 20–40 ms hashes (the bench's login-flood scenario: session p99 several
 * times its idle value). At nice +10 the kernel's fair scheduler weighs a hash thread about a tenth of the
 * event loop: the loop runs as soon as it has work and hashes get every cycle it leaves. Logins do not get
 * slower when nothing else runs; they only yield to requests that are cheap.
 *
 * How the threads are found: Linux resolves /proc/thread-self for the thread that makes the call, and an
 * asynchronous fs call is made by a pool thread, so `readlink("/proc/thread-self")` answers
 * "<pid>/task/<tid>" of the pool thread that ran it. Batches of such calls are sent until every pool thread
 * has answered (or a few batches passed). setpriority() on a thread id changes only that thread, and raising
 * one's own nice value needs no privilege. Anywhere else (no /proc) this does nothing.
 *
 * The pool also runs file-system calls and DNS look-ups; at nice +10 they yield to the event loop too, which
 * is fine for a server whose hot paths do neither.
 */
export async function lowerThreadPoolPriority(
  poolSize: number,
  nice: number,
): Promise<{ threads: number; nice: number }> {
  if (nice <= 0 || process.platform !== "linux") return { threads: 0, nice: 0 };
  const seen = new Set<number>();
  for (let batch = 0; batch < 20 && seen.size < poolSize; batch++) {
    const answers = await Promise.allSettled(
      Array.from({ length: poolSize * 8 }, () => readlink("/proc/thread-self")),
    );
    for (const answer of answers) {
      if (answer.status !== "fulfilled") return { threads: 0, nice: 0 };
      const tid = Number(/\/task\/(\d+)$/.exec(answer.value)?.[1]);
      // The main thread's own id is the process id: never lower it (it would be an fs call run in line).
      if (Number.isInteger(tid) && tid !== process.pid) seen.add(tid);
    }
  }
  for (const tid of seen) setPriority(tid, nice);
  return { threads: seen.size, nice };
}
