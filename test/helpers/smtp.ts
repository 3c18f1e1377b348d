import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** A real SMTP server on loopback that keeps every message it receives, parsed. */
export interface CapturedEmail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export interface SmtpCapture {
  readonly url: string;
  readonly messages: CapturedEmail[];
  /** Resolves with the newest message to `to` once one arrives (after `after` messages to it), or rejects. */
  waitFor(to: string, options?: { after?: number; timeoutMs?: number }): Promise<CapturedEmail>;
  /** Every link in the message's text part. */
  close(): Promise<void>;
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: CapturedEmail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        simpleParser(raw).then(
          (mail: ParsedMail) => {
            const to = (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) =>
              a.value.map((v) => (v.address ?? "").toLowerCase()),
            );
            messages.push({
              to,
              from: mail.from?.text ?? "",
              subject: mail.subject ?? "",
              text: mail.text ?? "",
              html: typeof mail.html === "string" ? mail.html : "",
              raw,
            });
            for (const wake of waiters) wake();
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(to, options = {}) {
      const after = options.after ?? 0;
      const find = () => {
        const matching = messages.filter((m) => m.to.includes(to.toLowerCase()));
        return matching.length > after ? matching[matching.length - 1] : undefined;
      };
      return new Promise((resolve, reject) => {
        const found = find();
        if (found) return resolve(found);
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no email to ${to} within ${options.timeoutMs ?? 5000} ms`));
        }, options.timeoutMs ?? 5000);
        const wake = () => {
          const m = find();
          if (m) {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve(m);
          }
        };
        waiters.add(wake);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The links in an email's text part, in order. */
export function linksOf(email: { text: string }): string[] {
  return email.text.match(/https?:\/\/\S+/g) ?? [];
}

/** The `token` query parameter of the first link whose stytch_token_type is `type`. */
export function tokenFrom(email: { text: string }, type: string): string {
  for (const link of linksOf(email)) {
    const url = new URL(link);
    if (url.searchParams.get("stytch_token_type") === type) {
      const token = url.searchParams.get("token");
      if (token) return token;
    }
  }
  throw new Error(`no ${type} link in email:\n${email.text}`);
}
