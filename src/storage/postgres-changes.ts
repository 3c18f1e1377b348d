import { randomUUID } from "node:crypto";
import { CompiledQuery } from "kysely";
import pg from "pg";
import type { ChangeCounter } from "./change-feed.js";

/** The channel every node announces its answer-affecting commits on, and listens to. */
export const CHANGES_CHANNEL = "gatehouse_changes";

/** What a node runs after such a commit (inside the transaction: NOTIFY is delivered at COMMIT). */
export function announcement(nodeId: string): CompiledQuery {
  return CompiledQuery.raw("select pg_notify($1, $2)", [CHANGES_CHANNEL, nodeId]);
}

export function newNodeId(): string {
  return randomUUID();
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

/**
 * Keeps one connection LISTENing for other nodes' announcements and moves the counter on for each one.
 *
 * Until the LISTEN is in place, and whenever the connection is lost, the counter is blind (`version()` is
 * null: no answer is served from a cache), because announcements made meanwhile are lost; it reconnects with
 * backoff and counts a change when it sees again. Started lazily, on the first `version()` that needs it, so
 * processes that never cache (the CLI) never open it. The node's own announcements are ignored: its own
 * commits were counted when they happened.
 */
export class PostgresChangeListener {
  private client: pg.Client | null = null;
  private started = false;
  private closed = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connectionString: string,
    private readonly counter: ChangeCounter,
    private readonly nodeId: string,
  ) {
    counter.setBlind(true);
  }

  /** Starts listening (once); cheap to call on every read of the version. */
  ensureStarted(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.connectionString });
    this.client = client;
    client.on("notification", (message) => {
      if (message.channel === CHANGES_CHANNEL && message.payload !== this.nodeId) this.counter.bump();
    });
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      this.counter.setBlind(true);
      client.removeAllListeners("notification");
      void client.end().catch(() => {});
      this.scheduleRetry();
    };
    client.on("error", lost);
    client.on("end", lost);
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
      if (this.closed || this.client !== client) return;
      this.retryMs = RETRY_MIN_MS;
      this.counter.setBlind(false);
    } catch {
      lost();
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.counter.setBlind(true);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => {});
  }
}
