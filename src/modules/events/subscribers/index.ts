/**
 * The outbox relay's subscribers (relay.ts hands each pass's rows to them, in this order), one file each;
 * the email subscriber is the notifications module's (emailNotifications).
 */
import { emailNotifications } from '../../notifications';
import type { OutboxSubscriber } from '../relay';
import { liveStream } from './live-stream';
import { reviewInvitations } from './review-invitations';
import { webhookDeliveries } from './webhook-deliveries';

export { liveStream, reviewInvitations, webhookDeliveries };

/** Every consumer of the outbox, in the order they get a pass's rows. */
export const SUBSCRIBERS: readonly OutboxSubscriber[] = [
  liveStream,
  webhookDeliveries,
  reviewInvitations,
  emailNotifications,
];
