import { AppError } from '../../platform/app-error';
import { defineOperation, querySchema } from '../http/operation';

export const streamQuerySchema = {
  $id: 'StreamQuery',
  type: 'object',
  additionalProperties: false,
  properties: {
    last_event_id: {
      type: 'string', maxLength: 64,
      description: 'The same as the `Last-Event-ID` header, for clients that cannot set headers (the header wins).',
    },
  },
} as const;
type StreamQuery = { last_event_id?: string };

const DESCRIPTION = [
  'Server-Sent Events for the venue of the session or key: every outbound webhook event of the venue (CONTRACT §7:',
  '`booking.created`, `booking.updated`, `booking.cancelled`, `sale.recorded`, `sale.matched`, the customer events and',
  'every later one), whichever process made the change. Each event is `id: <stream id>`, `event: <name>` and',
  '`data: <the §7 webhook body {id, event, created_at, data}>`.',
  '',
  'A reconnect with `Last-Event-ID` (or `?last_event_id=`) first gets every event after that id of the last',
  '10 minutes, then the live ones; an id outside that window gets `event: reset` (reload, then listen). A new',
  'stream starts with an `id:` line alone naming where it starts, so a client that saw no event reconnects from',
  'there too. Delivery is at least once: deduplicate on `data.id` (`msg_…`). Comment lines (`: keep-alive`) every',
  '15 s keep proxies from closing the stream; `retry: 2000` sets the browser\'s reconnect delay.',
].join('\n');

const EXAMPLE = [
  ': connected', 'retry: 2000', '', 'id: 1767312000000-0', '',
  'id: 1767312004211-0', 'event: sale.matched',
  'data: {"id":"msg_0mhv2k1q3a8x4n2p7r9t1c","event":"sale.matched","created_at":"2026-05-01T19:40:12.000Z","data":{"id":"sl_…","booking_id":"bk_…"}}',
  '', '',
].join('\n');

/** `GET /api/v1/stream` (CONTRACT §9, §15 "§9 stream"): the live diary's feed. */
export const streamOperations = [
  defineOperation({
    id: 'streamEvents', method: 'get', path: '/stream', tag: 'Live', auth: 'apiKey', scope: 'bookings:read',
    summary: "The venue's events, live (Server-Sent Events)",
    description: DESCRIPTION,
    query: querySchema<StreamQuery>(streamQuerySchema),
    responses: [{ status: 200, description: 'An event stream, open until the client goes.', contentType: 'text/event-stream', schema: { type: 'string' }, example: EXAMPLE }],
    errors: ['unavailable'],
    handler: (deps) => async ({ req, res, venue, query }) => {
      const hub = deps.liveHub;
      if (!hub) throw new AppError('unavailable', 'This process serves no live streams.');
      const header = req.headers['last-event-id'];
      const lastEventId = (typeof header === 'string' && header.trim() !== '' ? header.trim() : query.last_event_id) ?? null;
      await hub.open(res, venue.id, lastEventId);
    },
  }),
];
