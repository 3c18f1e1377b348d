import type { EmailMessage, Mailer } from "./mailer.js";
import type { OutboxStore } from "./outbox.js";

export interface OutboxLogger {
  info(obj: object, msg: string): void;
}

/**
 * Development delivery when no SMTP server is configured: messages are stored in the database (so every node
 * of a deployment sees them) and shown at GET /dev/outbox, and their subject and links are logged.
 * Security note: the outbox holds live links in plain text, which is why it is only on without SMTP and
 * can be switched off with GATEHOUSE_DEV_OUTBOX=false.
 */
export class OutboxMailer implements Mailer {
  readonly kind = "outbox" as const;

  constructor(
    private readonly store: OutboxStore,
    private readonly from: string,
    private readonly clock: { now(): number },
    private readonly log: OutboxLogger,
  ) {}

  async send(message: EmailMessage): Promise<void> {
    await this.store.insertMessage({
      project_id: message.projectId,
      to: message.to,
      from: this.from,
      subject: message.subject,
      text: message.text,
      html: message.html,
      created_at: this.clock.now(),
    });
    const links = message.text.match(/https?:\/\/\S+/g) ?? [];
    this.log.info(
      { to: message.to, subject: message.subject, links },
      "dev outbox: email stored (no SMTP configured)",
    );
  }

  async close(): Promise<void> {}
}
