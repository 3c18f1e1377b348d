/** A message kept in the dev outbox (GET /dev/outbox). */
export interface OutboxMessage {
  readonly id: number;
  readonly project_id: string | null;
  readonly to: string;
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly created_at: number;
}

export interface OutboxStore {
  insertMessage(message: Omit<OutboxMessage, "id">): Promise<void>;
  /** Newest first; `to` filters by recipient (normalised, exact). */
  listMessages(filter: { to?: string; limit: number }): Promise<OutboxMessage[]>;
}
