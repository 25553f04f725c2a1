import { publishLiveEvents } from '../../live';
import { isInternalEvent } from '../../outbox';
import { eventData, webhookBody } from '../../webhooks';
import type { OutboxSubscriber } from '../relay';

/**
 * The live stream (`GET /api/v1/stream`, CONTRACT §9): every outbox event of a venue, as the §7 webhook body
 * (the same bytes a webhook gets), appended to the venue's replay buffer in Redis and published to every API
 * process (src/modules/live). First in line: a diary is waiting for it, a webhook receiver is not.
 */
export const liveStream: OutboxSubscriber = {
  name: 'live',
  async handle(deps, rows) {
    await publishLiveEvents(
      deps.redis,
      deps.keyPrefix,
      // Facts for the outbox's own subscribers (an email asked for by a door) are not §7 events.
      rows.filter((r) => !isInternalEvent(r.event)).map((r) => ({
        venueId: r.venue_id,
        event: r.event,
        body: webhookBody({ messageId: r.message_id, event: r.event, createdAt: r.created_at, data: eventData(r.payload, r.resource_version) }),
      })),
    );
  },
};
