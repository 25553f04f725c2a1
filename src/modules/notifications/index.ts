/**
 * Notifications (CONTRACT §10.3): every guest and venue email, from the outbox, never lost, never twice.
 * The module's door — other modules and the routes use only what this file exports:
 *
 * - `Notifications.queueEmail(em, request)`: ask for an email of a kind inside your own transaction (the
 *   reviews feature's `review_invitation`, the public widget's `enquiry_received`). It writes an
 *   `email.requested` outbox entry, so the email follows from the same commit as its cause.
 * - `emailNotifications`: the outbox subscriber (events/subscribers SUBSCRIBERS) that turns booking events and
 *   email requests into email rows and send jobs (relay.ts).
 * - `startEmailWorker`: the send worker (worker role, only with SMTP_URL; without it emails are `kept`).
 * - `presentEmail` / `presentEmailDetail`: the API's view of an email.
 */
import type { Queue } from 'bullmq';
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../../platform/config';
import { writeOutbox } from '../outbox';
import type { OutboxSubscriber } from '../events';
import { parseRetrySchedule, type RetrySchedule } from '../../platform/retry-schedule';
import type { Logger } from '../../platform/logger';
import type { SecretBox } from '../../platform/secret-box';
import type { EmailKind } from './kinds';
import { relayEmails, type EmailJobData, type EmailRelayContext, type RelayedRow } from './relay';
import type { EmailEnquiry } from './templates';

export { EMAIL_KINDS, EMAIL_STATUSES, type EmailKind, type EmailStatus } from './kinds';
export { emailDetailSchema, type EmailDetailView, emailSchema, type EmailView, presentEmail, presentEmailDetail } from './emails-view';
export { startEmailWorker, requeueStrandedEmails, type EmailWorkerOptions } from './email-worker';
export { renderEmail, type EmailFacts, type RenderedEmail } from './templates';
export type { EmailJobData } from './relay';
export type { EmailEnquiry } from './templates';

/** What another module asks for (queueEmail). */
export interface EmailRequest {
  venueId: string;
  kind: EmailKind;
  /** The booking the email is about (its guest is the default recipient of guest kinds). */
  bookingId?: string | null;
  /** Another id the email is about, for the outbox row's resource (an enquiry's). */
  resourceId?: string | null;
  /** Default: the booking's guest (guest kinds), the venue's `notification_email` (venue kinds). */
  to?: string | null;
  /**
   * A link the email carries that is a secret (a review link's token): sealed with ENCRYPTION_KEY in the
   * outbox row's private data until the email is written.
   */
  link?: string | null;
  enquiry?: EmailEnquiry | null;
}

export interface NotificationsDeps {
  dataSource: DataSource;
  queue: Queue<EmailJobData>;
  secretBox: SecretBox;
  config: Pick<Config, 'publicUrl' | 'smtpUrl' | 'mailFrom' | 'emailRetrySchedule'>;
  logger: Logger;
}

/** The email retry schedule (EMAIL_RETRY_SCHEDULE, in the webhook schedule's format and with its defaults). */
export function emailRetryScheduleOf(config: Pick<Config, 'emailRetrySchedule'>): RetrySchedule {
  return parseRetrySchedule(config.emailRetrySchedule ?? undefined);
}

/** The domain part of MAIL_FROM's address: the right-hand side of every Message-ID. */
export function mailDomain(mailFrom: string): string {
  return /@([^\s<>@]+)>?\s*$/.exec(mailFrom)?.[1]?.toLowerCase() ?? 'tablesync.invalid';
}

export class Notifications {
  readonly relayContext: EmailRelayContext;

  constructor(private readonly deps: NotificationsDeps) {
    this.relayContext = {
      dataSource: deps.dataSource,
      queue: deps.queue,
      secretBox: deps.secretBox,
      schedule: emailRetryScheduleOf(deps.config),
      publicUrl: deps.config.publicUrl,
      sending: deps.config.smtpUrl !== null,
      messageIdDomain: mailDomain(deps.config.mailFrom),
      logger: deps.logger.child({ component: 'emails' }),
    };
  }

  /** A link guests open: PUBLIC_URL + path (`/review/<token>`). */
  publicLink(path: string): string {
    return `${this.deps.config.publicUrl}${path}`;
  }

  /** The door: an email of this kind follows from the caller's transaction (written to its outbox). */
  async queueEmail(em: EntityManager, request: EmailRequest, now = new Date()): Promise<void> {
    await writeOutbox(em, {
      venueId: request.venueId,
      event: 'email.requested',
      resourceId: request.bookingId ?? request.resourceId ?? request.venueId,
      resourceVersion: 1,
      data: { kind: request.kind, booking_id: request.bookingId ?? null, to: request.to ?? null, enquiry: request.enquiry ?? null },
      ...(request.link ? { private: { link: this.deps.secretBox.encrypt(request.link) } } : {}),
    }, now);
  }

  /** The outbox subscriber's work for one relay pass (returns the emails written). */
  relay(rows: readonly RelayedRow[], now: Date): Promise<number> {
    return relayEmails(this.relayContext, rows, now);
  }
}

/** The outbox subscriber (events/subscribers SUBSCRIBERS): emails for booking events and email requests. */
export const emailNotifications: OutboxSubscriber = {
  name: 'emails',
  async handle(deps, rows, now) {
    if (!deps.emails) throw new Error('the email subscriber needs RelayDeps.emails (the Notifications door)');
    await deps.emails.relay(rows, now);
  },
};
