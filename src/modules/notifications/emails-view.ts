/** The venue's emails as `GET /api/v1/emails[/:id]` shows them (CONTRACT §10.3, §15). */
import type { EntityManager } from 'typeorm';
import { Email, EmailAttempt } from '../../platform/db/entities';

export function presentEmail(e: Email): Record<string, unknown> {
  return {
    id: e.id,
    to: e.toAddress,
    subject: e.subject,
    kind: e.kind,
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

export async function presentEmailDetail(em: EntityManager, e: Email): Promise<Record<string, unknown>> {
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
