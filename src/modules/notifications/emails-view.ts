/** The venue's emails as `GET /api/v1/emails[/:id]` shows them (CONTRACT §10.3, §15). */
import type { EntityManager } from 'typeorm';
import { Email, EmailAttempt } from '../../platform/db/entities';
import type { View } from '../../platform/json-schema';
import { EMAIL_KINDS, EMAIL_STATUSES, type EmailKind } from './kinds';

export const emailSchema = {
  $id: 'Email',
  type: 'object',
  required: ['id', 'to', 'subject', 'kind', 'status', 'booking_id', 'created_at', 'sent_at', 'attempts'],
  properties: {
    id: { type: 'string', example: 'eml_0mhv2k1q3a8x4n2p7r9t1c' },
    to: { type: 'string', example: 'ada@example.com' },
    subject: { type: 'string' },
    kind: { type: 'string', enum: [...EMAIL_KINDS] },
    status: { type: 'string', enum: [...EMAIL_STATUSES], description: '`kept`: not sent because the server has no SMTP_URL.' },
    booking_id: { type: ['string', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
    sent_at: { type: ['string', 'null'], format: 'date-time' },
    attempts: { type: 'integer' },
    reply_to: { type: ['string', 'null'] },
    message_id: { type: 'string', description: 'The Message-ID header, the same on every attempt.' },
    last_error: { type: ['string', 'null'] },
    next_attempt_at: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const emailDetailSchema = {
  $id: 'EmailDetail',
  allOf: [
    { $ref: 'Email' },
    {
      type: 'object',
      required: ['text', 'html'],
      properties: {
        text: { type: 'string' },
        html: { type: 'string' },
        attempt_log: { type: 'array', items: { type: 'object' } },
      },
    },
  ],
} as const;

export type EmailView = View<typeof emailSchema>;
export type EmailDetailView = View<typeof emailDetailSchema, { references: [typeof emailSchema] }>;


export function presentEmail(e: Email): EmailView {
  return {
    id: e.id,
    to: e.toAddress,
    subject: e.subject,
    // Written only by the relay, from EMAIL_KINDS.
    kind: e.kind as EmailKind,
    status: e.status,
    booking_id: e.bookingId,
    created_at: e.createdAt.toISOString(),
    sent_at: e.sentAt ? e.sentAt.toISOString() : null,
    attempts: e.attempts,
    reply_to: e.replyTo,
    message_id: e.messageIdHeader,
    last_error: e.lastError,
    next_attempt_at: e.nextAttemptAt && e.status === 'queued' ? e.nextAttemptAt.toISOString() : null,
  };
}

export async function presentEmailDetail(em: EntityManager, e: Email): Promise<EmailDetailView> {
  const attempts = await em.find(EmailAttempt, { where: { emailId: e.id }, order: { attempt: 'ASC' } });
  return {
    ...presentEmail(e),
    text: e.textBody,
    html: e.htmlBody,
    attempt_log: attempts.map((a) => ({
      attempt: a.attempt, outcome: a.outcome, smtp_code: a.smtpCode, response: a.response, duration_ms: a.durationMs,
      created_at: a.createdAt.toISOString(),
    })),
  };
}
