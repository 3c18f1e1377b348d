import type { Kysely } from "kysely";
import type { OutboxMessage, OutboxStore } from "../../email/outbox.js";
import type { Database } from "../database.js";

export class OutboxRepository implements OutboxStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertMessage(m: Omit<OutboxMessage, "id">): Promise<void> {
    await this.db
      .insertInto("email_outbox")
      .values({
        project_id: m.project_id,
        to_address: m.to,
        from_address: m.from,
        subject: m.subject,
        text_body: m.text,
        html_body: m.html,
        created_at: m.created_at,
      })
      .execute();
  }

  async listMessages(filter: { to?: string; limit: number }): Promise<OutboxMessage[]> {
    let query = this.db.selectFrom("email_outbox").selectAll().orderBy("id", "desc").limit(filter.limit);
    if (filter.to !== undefined) query = query.where("to_address", "=", filter.to);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: Number(r.id),
      project_id: r.project_id,
      to: r.to_address,
      from: r.from_address,
      subject: r.subject,
      text: r.text_body,
      html: r.html_body,
      created_at: r.created_at,
    }));
  }
}
