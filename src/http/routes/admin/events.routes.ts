import { requirePartner } from '../../../domain/partners/partners';
import { getEventDetail, listEvents, replayEvent } from '../../../pipeline/event-log';
import { partnerAckResponseSchema } from '../../openapi/response-schemas';
import { defineOperation, querySchema } from '../../operation';
import { decodeCursor, encodeCursor, listResponse } from '../../pagination';
import { listEnvelopeSchema } from '../../schemas/pagination.schema';
import {
  inboundEventDetailSchema, inboundEventSchema, listPartnerEventsQuerySchema, type ListPartnerEventsQuery,
} from '../../schemas/partner.schema';

/** The event log: a partner's events, one event with its payload and output, and replay. */
export const eventsAdminOperations = [
  defineOperation({
    id: 'adminListPartnerEvents', method: 'get', path: '/partners/:name/events', tag: 'Admin: events', auth: 'admin',
    summary: "The partner's event log, newest first", query: querySchema<ListPartnerEventsQuery>(listPartnerEventsQuerySchema),
    responses: [{ status: 200, description: 'A page of events.', schema: listEnvelopeSchema(inboundEventSchema) }], errors: ['not_found'],
    handler: (deps) => async ({ params, query: q, res }) => {
      const em = deps.dataSource.manager;
      const partner = await requirePartner(em, params.name);
      const after = q.cursor ? String(decodeCursor('partner-events', q.cursor, 1)[0]) : undefined;
      const page = await listEvents(em, deps.queues.inboundEvents, partner.name, { status: q.status, limit: q.limit, after });
      res.json(listResponse(page.events, page.more && page.last ? encodeCursor('partner-events', [page.last]) : null));
    },
  }),
  defineOperation({
    id: 'adminGetEvent', method: 'get', path: '/events/:id', tag: 'Admin: events', auth: 'admin',
    summary: 'An event with its raw payload and mapping output',
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
