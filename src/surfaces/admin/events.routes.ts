import { requirePartner } from '../../modules/partners';
import { type EventFilter, getEventDetail, listEvents } from '../../modules/partners';
import { partnerStats, STATS_WINDOW_MS } from '../../modules/partners';
import { countReplay, replayEvent, replayMatching } from '../../modules/partners';
import { partnerAckResponseSchema } from '../http/openapi/response-schemas';
import { bodySchema, defineOperation, querySchema } from '../http/operation';
import { decodeCursor, encodeCursor, listResponse } from '../http/pagination';
import { listEnvelopeSchema } from '../http/schemas/pagination.schema';
import {
  inboundEventDetailSchema, inboundEventSchema, listPartnerEventsQuerySchema, partnerStatsQuerySchema, partnerStatsResponseSchema,
  replayEventsDryRunSchema, replayEventsQuerySchema, replayEventsResultSchema, replayEventsSchema, type ListPartnerEventsQuery,
  type PartnerStatsQuery, type ReplayEventsBody, type ReplayEventsQuery,
} from '../http/schemas/partner.schema';
import { fieldError } from '../http/validation';

/** The filter of the event log and of replay-many, from its snake_case fields; `since` after `until` is 400. */
function eventFilter(f: { status?: EventFilter['status']; event_type?: string; since?: string; until?: string; sale_id?: string }): EventFilter {
  const since = f.since === undefined ? undefined : new Date(f.since);
  const until = f.until === undefined ? undefined : new Date(f.until);
  if (since && until && since.getTime() > until.getTime()) throw fieldError('since', 'must not be after until');
  return { status: f.status, eventType: f.event_type, since, until, saleId: f.sale_id };
}

/** The event log: a partner's events, one event with its payload and output, replay of one or many, the partners' figures. */
export const eventsAdminOperations = [
  defineOperation({
    id: 'adminListPartnerEvents', method: 'get', path: '/partners/:name/events', tag: 'Admin: events', auth: 'admin',
    summary: "The partner's event log, newest first (filters: status, event type, time range, sale id)",
    query: querySchema<ListPartnerEventsQuery>(listPartnerEventsQuerySchema),
    responses: [{ status: 200, description: 'A page of events.', schema: listEnvelopeSchema(inboundEventSchema) }], errors: ['not_found'],
    handler: (deps) => async ({ params, query: q, res }) => {
      const em = deps.dataSource.manager;
      const filter = eventFilter(q);
      const partner = await requirePartner(em, params.name);
      const after = q.cursor ? String(decodeCursor('partner-events', q.cursor, 1)[0]) : undefined;
      const page = await listEvents(em, deps.queues.inboundEvents, partner.name, { ...filter, limit: q.limit, after });
      res.json(listResponse(page.events, page.more && page.last ? encodeCursor('partner-events', [page.last]) : null));
    },
  }),
  defineOperation({
    id: 'adminReplayPartnerEvents', method: 'post', path: '/partners/:name/events/replay', tag: 'Admin: events', auth: 'admin',
    summary: "Replay many of the partner's events at once (a day of failures after a mapping fix)",
    description:
      'Every finished event (processed, ignored, failed) of the partner that passes the filter is processed again, under its own ' +
      'id, with the live mapping, oldest first. Events in flight (queued or processing) are skipped and counted in `skipped`. ' +
      'A filter that matches nothing answers 202 `{replayed: 0, skipped: 0}`. `?dry_run=true` counts instead: 200 `{would_replay}`.',
    body: bodySchema<ReplayEventsBody>(replayEventsSchema, { optional: true }),
    bodyExample: { status: 'failed', since: '2026-05-01T00:00:00.000Z', until: '2026-05-02T00:00:00.000Z' },
    query: querySchema<ReplayEventsQuery>(replayEventsQuerySchema),
    responses: [
      { status: 202, description: 'Queued again.', schema: replayEventsResultSchema, example: { replayed: 212, skipped: 3 } },
      { status: 200, description: '`dry_run=true`: what a replay would do now; nothing replayed.', schema: replayEventsDryRunSchema, example: { would_replay: 212, would_skip: 3 } },
    ],
    errors: ['not_found', 'unavailable'],
    handler: (deps) => async ({ body, params, query, req, res }) => {
      const em = deps.dataSource.manager;
      const filter = eventFilter(body);
      const partner = await requirePartner(em, params.name);
      if (query.dry_run) {
        res.json(await countReplay(em, deps.queues.inboundEvents, partner.name, filter));
        return;
      }
      const result = await replayMatching(em, deps.queues.inboundEvents, partner.name, filter, deps.config.ingestAttempts);
      req.log.info({ partner: partner.name, filter: body, ...result }, 'events replay queued');
      res.status(202).json(result);
    },
  }),
  defineOperation({
    id: 'adminPartnerStats', method: 'get', path: '/partner-stats', tag: 'Admin: events', auth: 'admin',
    summary: "Every partner's events in a window (default the last 24 h): received, queued, processing, processed, ignored, failed",
    query: querySchema<PartnerStatsQuery>(partnerStatsQuerySchema),
    responses: [{ status: 200, description: 'One entry per partner, by name.', schema: partnerStatsResponseSchema }],
    handler: (deps) => async ({ query: q, res }) => {
      const until = q.until ? new Date(q.until) : new Date();
      const since = q.since ? new Date(q.since) : new Date(until.getTime() - STATS_WINDOW_MS);
      if (since.getTime() > until.getTime()) throw fieldError('since', 'must not be after until');
      const data = await partnerStats(deps.dataSource.manager, deps.queues.inboundEvents, since, until);
      res.json({ since: since.toISOString(), until: until.toISOString(), data, next_cursor: null });
    },
  }),
  defineOperation({
    id: 'adminGetEvent', method: 'get', path: '/events/:id', tag: 'Admin: events', auth: 'admin',
    summary: 'An event with its raw payload, headers (signatures masked) and mapping output',
    responses: [{ status: 200, description: 'The event.', schema: inboundEventDetailSchema }], errors: ['not_found'],
    handler: (deps) => async ({ params, res }) => {
      res.json(await getEventDetail(deps.dataSource.manager, deps.queues.inboundEvents, params.id));
    },
  }),
  defineOperation({
    id: 'adminReplayEvent', method: 'post', path: '/events/:id/replay', tag: 'Admin: events', auth: 'admin',
    summary: 'Process the stored raw payload again with the live mapping',
    responses: [{ status: 202, description: 'Queued again.', schema: partnerAckResponseSchema, example: { status: 'accepted', event_id: 'evt_0mhv2k1q3a8x4n2p7r9t1c' } }],
    errors: ['not_found', 'conflict', 'unavailable'],
    handler: (deps) => async ({ params, req, res }) => {
      await replayEvent(deps.dataSource.manager, deps.queues.inboundEvents, params.id, deps.config.ingestAttempts);
      req.log.info({ event_id: params.id }, 'event replay queued');
      res.status(202).json({ status: 'accepted', event_id: params.id });
    },
  }),
];
