/**
 * The email send worker (worker role): one BullMQ job per email (jobId = email id). Each run makes one
 * attempt: read the email row, hand it to the SMTP server, log the attempt (email_attempts and a log
 * line), update the row. The row is the truth; BullMQ schedules the retries (EMAIL_RETRY_SCHEDULE, the
 * webhook schedule's code). A temporary failure is retried until the schedule's attempts are spent, then
 * the email is `failed`; a permanent one (5yz) is `failed` at once. A sweep re-queues a queued email whose
 * job is gone (Redis lost it, or a job finished without its outcome recorded), so none is stranded.
 */
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { isDatabaseUnavailable } from '../../platform/db/db-errors';
import type { BackgroundProcess } from '../../platform/jobs/background-process';
import { DatabaseWait, type DatabaseWaitOptions } from '../../platform/jobs/database-wait';
import { closeWorker, createWorker, QUEUE_NAMES, type WorkerSetup } from '../../platform/jobs/queues';
import { retryDelayMs, totalSpanMs, type RetrySchedule } from '../../platform/retry-schedule';
import { newId } from '../../platform/ids';
import type { Logger } from '../../platform/logger';
import { fitColumn } from '../../platform/storable';
import { EmailSender, type SendResult, type SmtpTimeouts } from './email-sender';
import { emailJobOptions, type EmailJobData } from './relay';

/** Thrown to have BullMQ retry after the delay already recorded as the email's next_attempt_at. */
export class EmailRetryLater extends Error {
  constructor(message: string, readonly delayMs: number) {
    super(message);
    this.name = 'EmailRetryLater';
  }
}

/** Send locks: one SMTP transaction of up to a minute (socket timeout 30 s); taken over within ~45 s. */
export const EMAIL_WORKER_LOCKS = Object.freeze({ lockDuration: 40_000, stalledInterval: 5_000, maxStalledCount: 2 });

export interface EmailWorkerOptions {
  setup: WorkerSetup;
  dataSource: DataSource;
  queue: Queue<EmailJobData>;
  smtpUrl: string;
  mailFrom: string;
  schedule: RetrySchedule;
  logger: Logger;
  /** Emails in flight per process. @defaultValue 16 */
  concurrency?: number;
  timeouts?: SmtpTimeouts;
  /** How often stranded queued emails are looked for. @defaultValue 5000 */
  sweepIntervalMs?: number;
  databaseWait?: DatabaseWaitOptions;
}

interface EmailRecord {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  to_address: string;
  reply_to: string | null;
  subject: string;
  text_body: string;
  html_body: string;
  message_id_header: string;
  created_at: Date;
}

async function recordAttempt(ds: DataSource, email: EmailRecord, attempt: number, result: SendResult, outcome: 'sent' | 'retry' | 'failed', nextAt: Date | null): Promise<void> {
  const now = new Date();
  const status = outcome === 'sent' ? 'sent' : outcome === 'failed' ? 'failed' : 'queued';
  await ds.transaction(async (em) => {
    await em.query(
      `INSERT INTO email_attempts (id, email_id, attempt, outcome, smtp_code, response, duration_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [newId('ema'), email.id, attempt, outcome, result.code, fitColumn('email_attempts.response', result.response), result.durationMs, now],
    );
    await em.query(
      `UPDATE emails SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, sent_at = ?, updated_at = ? WHERE id = ?`,
      [status, attempt, result.ok ? null : fitColumn('emails.last_error', result.response), nextAt, result.ok ? now : null, now, email.id],
    );
  });
}

/** One attempt of one email; resolves when the email is finished, throws to have BullMQ retry or stop. */
async function sendOnce(o: EmailWorkerOptions, sender: EmailSender, job: Job<EmailJobData>): Promise<string> {
  const [email] = (await o.dataSource.query(
    `SELECT id, kind, status, attempts, to_address, reply_to, subject, text_body, html_body, message_id_header, created_at
       FROM emails WHERE id = ?`,
    [job.data.email_id],
  )) as EmailRecord[];
  // Gone with its venue, or already finished (a job added twice): nothing to do.
  if (!email) return 'missing';
  if (email.status !== 'queued') return email.status;

  const attempt = email.attempts + 1;
  const result = await sender.send({
    from: o.mailFrom, to: email.to_address, replyTo: email.reply_to, subject: email.subject, text: email.text_body,
    html: email.html_body, messageId: email.message_id_header, date: email.created_at, emailId: email.id,
  });
  const isLast = attempt >= o.schedule.attempts || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  const outcome = result.ok ? 'sent' : !result.retryable || isLast ? 'failed' : 'retry';
  const delayMs = outcome === 'retry' ? retryDelayMs(attempt, o.schedule) : 0;
  await recordAttempt(o.dataSource, email, attempt, result, outcome, outcome === 'retry' ? new Date(Date.now() + delayMs) : null);
  o.logger.info(
    { email_id: email.id, kind: email.kind, attempt, outcome, smtp_code: result.code, duration_ms: result.durationMs, ...(result.ok ? {} : { reason: result.response }) },
    'email attempt',
  );
  if (outcome === 'sent') return 'sent';
  if (outcome === 'failed') throw new UnrecoverableError(result.response);
  throw new EmailRetryLater(result.response, delayMs);
}

/**
 * Queued emails overdue by a grace (5 × base_ms, 5 s to 5 min) whose job is missing or finished get their
 * job again. Only emails young enough to be inside the schedule (its span + 1 h) are looked at.
 */
export async function requeueStrandedEmails(o: Pick<EmailWorkerOptions, 'dataSource' | 'queue' | 'schedule'>, now = new Date()): Promise<number> {
  const graceMs = Math.min(300_000, Math.max(5_000, 5 * o.schedule.baseMs));
  const windowMs = totalSpanMs({ ...o.schedule, jitter: 0 }) + 3_600_000;
  const lowestId = `eml_${Math.max(0, now.getTime() - windowMs).toString(36).padStart(10, '0')}`;
  const rows = (await o.dataSource.query(
    `SELECT id, attempts FROM emails WHERE id >= ? AND status = 'queued' AND next_attempt_at < ? ORDER BY id LIMIT 100`,
    [lowestId, new Date(now.getTime() - graceMs)],
  )) as { id: string; attempts: number }[];
  let requeued = 0;
  for (const row of rows) {
    const job = await o.queue.getJob(row.id);
    if (job) {
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed') continue;
      await job.remove();
    }
    await o.queue.add('send', { email_id: row.id }, emailJobOptions(row.id, o.schedule, o.schedule.attempts - row.attempts));
    requeued += 1;
  }
  return requeued;
}

export function startEmailWorker(o: EmailWorkerOptions): BackgroundProcess {
  const sender = new EmailSender(o.smtpUrl, { maxConnections: Math.min(10, o.concurrency ?? 16), timeouts: o.timeouts });
  const databaseWait = new DatabaseWait(o.queue, o.logger, o.databaseWait);
  const run = async (job: Job<EmailJobData>): Promise<string> => {
    try {
      const outcome = await sendOnce(o, sender, job);
      databaseWait.recovered();
      return outcome;
    } catch (err) {
      // The row is the truth and the database is away: back to wait, no attempt spent. (An outcome not
      // recorded means the server may get that attempt again, with the same Message-ID.)
      if (isDatabaseUnavailable(err)) throw (await databaseWait.pause(err)).error;
      throw err;
    }
  };
  const worker = createWorker<EmailJobData, string>(o.setup, QUEUE_NAMES.emails, run, {
    concurrency: o.concurrency ?? 16,
    ...EMAIL_WORKER_LOCKS,
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
        err instanceof EmailRetryLater ? err.delayMs : retryDelayMs(attemptsMade, o.schedule),
    },
  });

  let stopped = false;
  const sweepEvery = o.sweepIntervalMs ?? 5000;
  const sweep = async (): Promise<void> => {
    if (stopped) return;
    try {
      const n = await requeueStrandedEmails(o);
      if (n > 0) o.logger.warn({ requeued: n }, 'requeued stranded emails');
    } catch (err) {
      o.logger.warn({ err: (err as Error).message }, 'email sweep failed');
    }
  };
  const timer = setInterval(() => void sweep(), sweepEvery);
  timer.unref();

  return {
    name: 'email-worker',
    async close() {
      stopped = true;
      clearInterval(timer);
      await closeWorker(worker);
      sender.close();
    },
  };
}
