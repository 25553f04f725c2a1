import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  parsed: ParsedMail;
  raw: string;
  from: string;
  to: string[];
  messageId: string | undefined;
}

/**
 * A real SMTP server in the test process (smtp-server), every accepted message parsed with mailparser.
 * `refuse` decides, per message, to answer the DATA command with an SMTP error instead (e.g. 451 for a
 * temporary refusal, 550 for a permanent one); `hang` makes it stop answering (a timeout).
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** DATA commands seen, accepted or refused. */
  attempts = 0;
  refuse: ((attempt: number, session: SMTPServerSession) => { code: number; message: string } | null) | null = null;
  hang = false;
  private server: SMTPServer | null = null;
  port = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.attempts += 1;
          if (this.hang) return; // never answer
          const refusal = this.refuse?.(this.attempts, session) ?? null;
          if (refusal) {
            const err = Object.assign(new Error(refusal.message), { responseCode: refusal.code });
            callback(err);
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then((parsed) => {
            this.received.push({
              parsed, raw, from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address), messageId: parsed.messageId,
            });
            callback();
          }, callback);
        });
      },
    });
    // A client killed mid-session (the fault tests SIGKILL the email worker) resets its connection, and
    // smtp-server reports that as an 'error' event: expected here, and unhandled it would fail the run.
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = ((this.server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
}
