import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import { requirePartner } from '../../../domain/partners/partners';
import { getEventDetail, listEvents, replayEvent } from '../../../pipeline/event-log';
import { compileQuerySchema, decodeCursor, encodeCursor, listResponse } from '../../pagination';
import { listPartnerEventsQuerySchema, type ListPartnerEventsQuery } from '../../schemas/partner.schema';

const parseListQuery = compileQuerySchema<ListPartnerEventsQuery>(listPartnerEventsQuerySchema);

/** The event log: a partner's events, one event with its payload and output, and replay. */
export function eventsAdminRouter(deps: AppDeps): Router {
  const router = Router();
  const em = deps.dataSource.manager;
  const queue = deps.queues.inboundEvents;

  router.get('/partners/:name/events', async (req, res) => {
    const q = parseListQuery(req.query);
    const partner = await requirePartner(em, req.params.name);
    const after = q.cursor ? String(decodeCursor('partner-events', q.cursor, 1)[0]) : undefined;
    const page = await listEvents(em, queue, partner.name, { status: q.status, limit: q.limit, after });
    res.json(listResponse(page.events, page.more && page.last ? encodeCursor('partner-events', [page.last]) : null));
  });

  router.get('/events/:id', async (req, res) => {
    res.json(await getEventDetail(em, queue, req.params.id));
  });

  router.post('/events/:id/replay', async (req, res) => {
    await replayEvent(em, queue, req.params.id, deps.config.ingestAttempts);
    req.log.info({ event_id: req.params.id }, 'event replay queued');
    res.status(202).json({ status: 'accepted', event_id: req.params.id });
  });

  return router;
}
