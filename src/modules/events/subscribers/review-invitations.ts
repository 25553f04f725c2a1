import { inviteCompletedBookings } from '../../reviews';
import type { OutboxSubscriber } from '../relay';

/**
 * Review invitations (CONTRACT §11): each booking that reached `completed` gets one, its email queued through
 * the notifications door in the invitation's transaction (an `email.requested` row of its own; idempotent:
 * one invitation per booking, by a unique key).
 */
export const reviewInvitations: OutboxSubscriber = {
  name: 'review-invitations',
  async handle(deps, rows, now) {
    const emails = deps.emails;
    if (!emails) throw new Error('the review invitations subscriber needs RelayDeps.emails (the Notifications door)');
    await inviteCompletedBookings(deps.dataSource, rows, (tx, invitation) => emails.queueEmail(tx, {
      venueId: invitation.venueId, kind: 'review_invitation', bookingId: invitation.bookingId, to: invitation.to,
      link: emails.publicLink(`/review/${invitation.token}`),
    }, now), now);
  },
};
