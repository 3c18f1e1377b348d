/** One outgoing email: always a plain-text and an HTML part. */
export interface EmailMessage {
  readonly projectId: string | null;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * Delivers email. `send` resolves once the message is accepted (by the SMTP server, or stored in the dev
 * outbox) and rejects when it was not, so callers can report a failed delivery instead of a silent loss.
 */
export interface Mailer {
  readonly kind: "smtp" | "outbox";
  send(message: EmailMessage): Promise<void>;
  close(): Promise<void>;
}
