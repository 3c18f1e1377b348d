import { Worker } from "node:worker_threads";
import { workerEntry } from "../shared/worker-entry.js";
import type { StrengthAnswer, StrengthReply, StrengthRequest } from "./strength-worker.js";

/**
 * The main thread's side of strength-worker.ts. Password-strength checks are rare (setting a password,
 * strength_check, a breach check at login) but zxcvbn's dictionaries cost ~48 MB and each analysis milliseconds
 * of CPU, so they live in a worker thread that is started on first use and terminated once it has been idle for
 * STRENGTH_WORKER_IDLE_MS: an idle server carries none of it, and the event loop never runs zxcvbn.
 *
 * Contract: one worker at a time, shared by concurrent calls (each carries a request id). Calls made while it
 * starts (loading the dictionaries takes a few hundred ms) wait for it. If it crashes or exits, every pending
 * call rejects with an Error and the next call starts a fresh worker; so does a call not answered within
 * STRENGTH_CALL_TIMEOUT_MS (a worker that hangs is treated as one that crashed, rather than holding its callers
 * forever). It never keeps the process alive while idle (unref'd; its idle timer too), so a shutting-down
 * process does not wait for it.
 */

/** How long the worker outlives its last answer before it is terminated and its memory returned. */
export const STRENGTH_WORKER_IDLE_MS = 60_000;

/**
 * How long one call may wait for its answer, worker start-up included (loading the dictionaries takes a few
 * hundred ms; an analysis of at most 64 code points, milliseconds).
 */
export const STRENGTH_CALL_TIMEOUT_MS = 10_000;

export type StrengthJob = Omit<StrengthRequest, "id">;

export interface StrengthWorkerClient {
  run(job: StrengthJob): Promise<StrengthAnswer>;
  /** The running worker's thread id, or null when none runs (for tests and diagnostics). */
  threadId(): number | null;
  /** Terminates the worker now; pending calls reject. A later call starts a new one. */
  close(): Promise<void>;
}

interface Pending {
  resolve: (answer: StrengthAnswer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export function createStrengthWorkerClient(
  options: { idleMs?: number; callTimeoutMs?: number } = {},
): StrengthWorkerClient {
  const idleMs = options.idleMs ?? STRENGTH_WORKER_IDLE_MS;
  const callTimeoutMs = options.callTimeoutMs ?? STRENGTH_CALL_TIMEOUT_MS;
  const pending = new Map<number, Pending>();
  let worker: Worker | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  let nextId = 1;

  function start(): Worker {
    const { entry, options } = workerEntry(import.meta.url, "strength-worker");
    const started = new Worker(entry, options);
    // Every handler first checks that it still speaks for the current worker: a terminated or failed one may
    // report late, and must not touch the calls of its successor.
    started.on("message", (reply: StrengthReply) => {
      const call = started === worker ? pending.get(reply.id) : undefined;
      if (!call) return;
      clearTimeout(call.timer);
      pending.delete(reply.id);
      if ("error" in reply) call.reject(new Error(`Password strength check failed: ${reply.error}`));
      else call.resolve({ breached: reply.breached, zxcvbn: reply.zxcvbn });
      if (pending.size === 0) idle(started);
    });
    started.on("error", (error) => fail(started, error));
    started.on("messageerror", (error) => fail(started, error));
    started.on("exit", (code) => fail(started, new Error(`exited with code ${code}`)));
    return started;
  }

  /** No call waiting: let the process exit without it, and terminate it unless a call comes within idleMs. */
  function idle(current: Worker): void {
    current.unref();
    idleTimer = setTimeout(() => {
      idleTimer = null;
      if (current !== worker || pending.size > 0) return;
      worker = null;
      void current.terminate();
    }, idleMs);
    idleTimer.unref();
  }

  function fail(failed: Worker, cause: unknown): void {
    if (failed !== worker) return;
    worker = null;
    clearIdle();
    void failed.terminate();
    const error = new Error("The password strength worker failed.", { cause });
    for (const call of pending.values()) {
      clearTimeout(call.timer);
      call.reject(error);
    }
    pending.clear();
  }

  function clearIdle(): void {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
  }

  return {
    run(job) {
      clearIdle();
      worker ??= start();
      const current = worker;
      current.ref(); // a pending call keeps the process alive, as any pending I/O would
      const id = nextId++;
      return new Promise<StrengthAnswer>((resolve, reject) => {
        const timer = setTimeout(
          () => fail(current, new Error(`no answer within ${callTimeoutMs} ms`)),
          callTimeoutMs,
        );
        pending.set(id, { resolve, reject, timer });
        const request: StrengthRequest = { id, ...job };
        try {
          current.postMessage(request);
        } catch (error) {
          clearTimeout(timer);
          pending.delete(id);
          if (pending.size === 0) idle(current);
          throw error;
        }
      });
    },
    threadId: () => worker?.threadId ?? null,
    async close() {
      const current = worker;
      if (current) {
        fail(current, new Error("closed"));
        await current.terminate();
      }
    },
  };
}
