/** The kinds of email (CONTRACT §15 §10.3) and who gets each. */
export const EMAIL_KINDS = [
  'booking_confirmed', 'booking_moved', 'booking_cancelled', 'request_received', 'request_approved', 'request_declined',
  'request_expired', 'review_invitation', 'enquiry_received', 'request_waiting',
] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

/** Kinds that go to the venue (its `notification_email` setting); the others go to the guest. */
export const VENUE_KINDS: ReadonlySet<EmailKind> = new Set(['enquiry_received', 'request_waiting']);

export const EMAIL_STATUSES = ['queued', 'sent', 'kept', 'failed'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/**
 * The guest and venue emails each booking event of the outbox brings (booking.updated brings
 * booking_moved only when the date or time changed). The request events are §11's.
 */
export const BOOKING_EVENT_KINDS: Readonly<Record<string, readonly EmailKind[]>> = {
  'booking.created': ['booking_confirmed'],
  'booking.updated': ['booking_moved'],
  'booking.cancelled': ['booking_cancelled'],
  'booking.requested': ['request_received', 'request_waiting'],
  'booking.approved': ['request_approved'],
  'booking.declined': ['request_declined'],
  'booking.expired': ['request_expired'],
};
