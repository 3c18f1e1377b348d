import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createStrengthWorkerClient, type StrengthJob } from "./strength-client.js";

const COMMON: StrengthJob = { breach: "Password1234", zxcvbn: { password: "abc12", userInputs: [] } };
const STRONG: StrengthJob = { breach: "zebra-mountain-kestrel", zxcvbn: null };

async function waitForStop(client: ReturnType<typeof createStrengthWorkerClient>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (client.threadId() !== null && Date.now() < deadline) await sleep(20);
}

describe("the password strength worker", () => {
  it("is started on first use, stops after its idle timeout, and starts again on the next call", async () => {
    const client = createStrengthWorkerClient({ idleMs: 150 });
    assert.equal(client.threadId(), null, "nothing runs before the first call");

    const first = await client.run(COMMON);
    assert.equal(first.breached, true);
    assert.ok(first.zxcvbn && first.zxcvbn.score < 3);
    const firstThread = client.threadId();
    assert.notEqual(firstThread, null);

    await sleep(50);
    assert.equal(client.threadId(), firstThread, "still there before the timeout");
    await waitForStop(client, 2000);
    assert.equal(client.threadId(), null, "terminated once idle");

    const again = await client.run(STRONG);
    assert.deepEqual(again, { breached: false, zxcvbn: null });
    assert.notEqual(client.threadId(), null);
    assert.notEqual(client.threadId(), firstThread, "a fresh worker");
    await client.close();
  });

  it("fails a call that gets no answer in time, stops that worker, and starts a fresh one for the next call", async () => {
    // Starting a worker (loading the dictionaries) takes hundreds of milliseconds: longer than 1 ms.
    const client = createStrengthWorkerClient({ idleMs: 1000, callTimeoutMs: 1 });
    await assert.rejects(client.run(COMMON), (error: Error) => {
      assert.match(error.message, /strength worker failed/);
      assert.match(String((error.cause as Error).message), /no answer within 1 ms/);
      return true;
    });
    assert.equal(client.threadId(), null, "the unanswered worker is gone");
    await client.close();

    const patient = createStrengthWorkerClient({ idleMs: 1000 });
    assert.equal((await patient.run(COMMON)).breached, true);
    await patient.close();
  });

  it("multiplexes concurrent calls, made while it starts, over one worker", async () => {
    const client = createStrengthWorkerClient({ idleMs: 1000 });
    const jobs = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? COMMON : STRONG));
    const answers = await Promise.all(jobs.map((job) => client.run(job)));
    answers.forEach((answer, i) => {
      assert.equal(answer.breached, i % 2 === 0);
      assert.equal(answer.zxcvbn === null, i % 2 === 1);
    });
    const thread = client.threadId();
    await client.run(STRONG);
    assert.equal(client.threadId(), thread, "the same worker answers later calls");
    await client.close();
  });

  it("rejects a call the worker cannot answer and keeps serving the others", async () => {
    const client = createStrengthWorkerClient({ idleMs: 1000 });
    const broken = { breach: 42, zxcvbn: null } as unknown as StrengthJob;
    await assert.rejects(client.run(broken), /Password strength check failed/);
    assert.equal((await client.run(COMMON)).breached, true);
    await client.close();
  });

  it("rejects pending calls when the worker goes away, and the next call starts a fresh one", async () => {
    const client = createStrengthWorkerClient({ idleMs: 1000 });
    await client.run(STRONG);
    const thread = client.threadId();
    const rejected = assert.rejects(client.run(COMMON), /worker failed/);
    await client.close();
    await rejected;
    assert.equal(client.threadId(), null);
    assert.equal((await client.run(COMMON)).breached, true);
    assert.notEqual(client.threadId(), thread);
    await client.close();
  });
});
