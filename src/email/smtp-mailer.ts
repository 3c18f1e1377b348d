import nodemailer, { type Transporter } from "nodemailer";
import type { EmailMessage, Mailer } from "./mailer.js";

/** Production delivery over SMTP (nodemailer), configured by GATEHOUSE_SMTP_URL. */
export class SmtpMailer implements Mailer {
  readonly kind = "smtp" as const;
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(url);
  }

  async send(message: EmailMessage): Promise<void> {
    // Recipients come from normalised member addresses (no CR/LF can reach a header: members/member.ts).
    await this.transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
