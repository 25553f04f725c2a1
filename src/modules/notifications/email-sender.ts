/**
 * Hands one email to the SMTP server (nodemailer over SMTP_URL) and says what happened, in the terms the
 * retry rule needs (CONTRACT §15 §10.3): a 4yz reply, a connection error or a timeout is temporary (tried
 * again later); a 5yz reply is permanent (the email ends `failed`). The same Message-ID and Date go out on
 * every attempt, so a retry is the same email, never a second one.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';

export interface OutgoingEmail {
  from: string;
  to: string;
  replyTo: string | null;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  date: Date;
  emailId: string;
}

export interface SendResult {
  ok: boolean;
  /** The SMTP reply code (250 on success), null when the server never answered. */
  code: number | null;
  /** The server's reply, or the error. */
  response: string;
  retryable: boolean;
  durationMs: number;
}

export interface SmtpTimeouts {
  /** @defaultValue 10_000 */
  connectionMs?: number;
  /** @defaultValue 10_000 */
  greetingMs?: number;
  /** Idle socket (a server that stops answering mid-transaction). @defaultValue 30_000 */
  socketMs?: number;
}

/** Error codes of nodemailer that mean the server could not be reached or stopped answering: try again later. */
const TEMPORARY_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE']);

export function classifySmtpError(err: unknown): { code: number | null; retryable: boolean; response: string } {
  const e = err as { responseCode?: number; code?: string; response?: string; message?: string };
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  const response = (e.response ?? e.message ?? String(err)).slice(0, 1000);
  if (code !== null && code >= 500) return { code, retryable: false, response };
  if (code !== null && code >= 400) return { code, retryable: true, response };
  return { code, retryable: TEMPORARY_CODES.has(e.code ?? '') || /timeout|timed out|connection was closed|connection closed/i.test(response), response };
}

export class EmailSender {
  private readonly transport: Transporter;

  constructor(smtpUrl: string, options: { maxConnections?: number; timeouts?: SmtpTimeouts } = {}) {
    const t = options.timeouts ?? {};
    // The URL parsed here, not passed as `url`: given a `url`, createTransport takes only what the URL says and
    // drops every other option (the pool and these timeouts with it: a server that stopped answering held a
    // send for nodemailer's default 10 minutes, on a new connection per message).
    this.transport = nodemailer.createTransport({
      ...parseConnectionUrl(smtpUrl),
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      maxMessages: 100,
      // A connection that closes mid-send fails the attempt (retried on EMAIL_RETRY_SCHEDULE, and logged)
      // instead of the pool re-sending it on another connection without end.
      maxRequeues: 0,
      connectionTimeout: t.connectionMs ?? 10_000,
      greetingTimeout: t.greetingMs ?? 10_000,
      socketTimeout: t.socketMs ?? 30_000,
    } as Parameters<typeof nodemailer.createTransport>[0]);
  }

  async send(email: OutgoingEmail): Promise<SendResult> {
    const started = Date.now();
    try {
      const info = (await this.transport.sendMail({
        from: email.from,
        to: email.to,
        ...(email.replyTo ? { replyTo: email.replyTo } : {}),
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: email.messageId,
        date: email.date,
        headers: { 'X-Tablesync-Email-Id': email.emailId },
      })) as { response?: string; rejected?: unknown[] };
      const response = String(info.response ?? '250 OK').slice(0, 1000);
      const code = Number(/^(\d{3})/.exec(response)?.[1] ?? 250);
      return { ok: true, code, response, retryable: false, durationMs: Date.now() - started };
    } catch (err) {
      return { ok: false, ...classifySmtpError(err), durationMs: Date.now() - started };
    }
  }

  close(): void {
    this.transport.close();
  }
}
