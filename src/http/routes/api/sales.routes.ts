import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import type { Sale } from '../../../db/entities';
import { saleCandidates } from '../../../domain/sales/candidates';
import { getSale, itemsOfSales, salesQuery } from '../../../domain/sales/list-sales';
import { manualMatchSale } from '../../../domain/sales/manual-match';
import { presentSale } from '../../../domain/views/sale.view';
import { notFound } from '../../../shared/app-error';
import { getAuth, requireScope } from '../../middleware/api-key-auth';
import { compileQuerySchema, listResponse, paginate, type Keyset } from '../../pagination';
import { listSalesQuerySchema, matchSaleSchema, type ListSalesQuery, type MatchSaleBody } from '../../schemas/sale.schema';
import { compileSchema, parseWith } from '../../validation';

const parseListQuery = compileQuerySchema<ListSalesQuery>(listSalesQuerySchema);
const validateMatch = compileSchema<MatchSaleBody>(matchSaleSchema);

/** Newest first by the sale's time, id as the tie-break (ids are unique, so the order is total). */
const SALES_KEYSET: Keyset<Sale> = {
  name: 'sales',
  keys: [
    { column: 's.match_at', order: 'DESC', value: (s) => s.matchAt },
    { column: 's.id', order: 'DESC', value: (s) => s.id },
  ],
};

/** `/api/v1/sales` (CONTRACT §6): the venue's POS sales and the booking each belongs to. */
export function salesRouter(deps: AppDeps): Router {
  const router = Router();
  const em = deps.dataSource.manager;

  router.get('/sales', requireScope('sales:read'), async (req, res) => {
    const auth = getAuth(res);
    const q = parseListQuery(req.query);
    const qb = await salesQuery(em, {
      venueId: auth.venueId,
      timezone: auth.venue.timezone,
      date: q.date,
      bookingRef: q.booking_id,
      unmatched: q.unmatched,
      status: q.status,
    });
    if (!qb) {
      res.json(listResponse([], null));
      return;
    }
    const page = await paginate(qb, SALES_KEYSET, { limit: q.limit, cursor: q.cursor });
    const items = await itemsOfSales(em, page.rows.map((s) => s.id));
    res.json(listResponse(page.rows.map((s) => presentSale(s, items.get(s.id) ?? [])), page.nextCursor));
  });

  router.get('/sales/:id', requireScope('sales:read'), async (req, res) => {
    const found = await getSale(em, getAuth(res).venueId, String(req.params.id));
    if (!found) throw notFound('Sale');
    res.json(presentSale(found.sale, found.items));
  });

  router.get('/sales/:id/candidates', requireScope('sales:read'), async (req, res) => {
    const auth = getAuth(res);
    const candidates = await saleCandidates(em, { id: auth.venueId, timezone: auth.venue.timezone }, String(req.params.id));
    if (!candidates) throw notFound('Sale');
    res.json({ data: candidates });
  });

  router.patch('/sales/:id', requireScope('sales:write'), async (req, res) => {
    const body = parseWith(validateMatch, req.body);
    const venueId = getAuth(res).venueId;
    const result = await deps.dataSource.transaction((tx) =>
      manualMatchSale(tx, { venueId, saleId: String(req.params.id), bookingRef: body.booking_id }),
    );
    res.json(presentSale(result.sale, result.items));
  });

  return router;
}
