import assert from "node:assert/strict";
import type { SigningKeyRecord, SigningKeysStore } from "../../src/sessions/signing-keys.js";

/** The storage contract, in memory: records are copied in and out as a database would. */
export class MemoryKeysStore implements SigningKeysStore {
  readonly records: SigningKeyRecord[] = [];
  listCalls = 0;

  async insertKey(key: SigningKeyRecord): Promise<void> {
    this.records.push(structuredClone(key));
  }

  async listKeys(projectId: string): Promise<SigningKeyRecord[]> {
    this.listCalls++;
    return this.records
      .filter((r) => r.project_id === projectId)
      .sort((a, b) => b.created_at - a.created_at)
      .map((r) => structuredClone(r));
  }

  async retireKeys(projectId: string, at: number, exceptKid: string): Promise<number> {
    let n = 0;
    for (const [i, r] of this.records.entries()) {
      if (r.project_id === projectId && (r.retired_at === null || r.retired_at > at) && r.kid !== exceptKid) {
        this.records[i] = { ...r, retired_at: at };
        n++;
      }
    }
    return n;
  }

  retire(kid: string, at: number): void {
    const i = this.records.findIndex((r) => r.kid === kid);
    const record = this.records[i];
    assert.ok(record, `no key ${kid}`);
    this.records[i] = { ...record, retired_at: at };
  }
}
