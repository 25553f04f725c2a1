import type { Sale } from '../../platform/db/entities';
import { saleCandidates } from '../../modules/sales';
import { getSale, saleViews } from '../../modules/sales';
import { manualMatchSale } from '../../modules/sales';
import { presentSale } from '../../modules/sales';
import { notFound } from '../../platform/app-error';
import { BOOKING_EXAMPLE, SALE_EXAMPLE } from '../http/openapi/examples';
import { bodySchema, defineOperation, querySchema } from '../http/operation';
import { keysetSql, listResponse, pageResponse, pageOf, type Keyset } from '../http/pagination';
import { listEnvelopeSchema } from '../http/schemas/pagination.schema';
import { bookingSchema } from '../http/schemas/booking.schema';
import {
  listSalesQuerySchema, matchSaleSchema, saleCandidatesResponseSchema, saleResponseSchema, type ListSalesQuery, type MatchSaleBody,
} from '../http/schemas/sale.schema';

/** Newest first by the sale's time, id as the tie-break (ids are unique, so the order is total). */
const SALES_KEYSET: Keyset<{ sale: Sale }> = {
  name: 'sales',
  keys: [
    { column: 's.match_at', order: 'DESC', value: (r) => r.sale.matchAt },
    { column: 's.id', order: 'DESC', value: (r) => r.sale.id },
  ],
};

/** `/api/v1/sales` (CONTRACT §6): the venue's POS sales and the booking each belongs to. */
export const saleOperations = [
  defineOperation({
    id: 'listSales', method: 'get', path: '/sales', tag: 'Sales', auth: 'apiKey', scope: 'sales:read',
    summary: 'List POS sales',
    description: "Newest first by the sale's time (opened_at, else closed_at, else when it was received).",
    query: querySchema<ListSalesQuery>(listSalesQuerySchema),
    responses: [{ status: 200, description: 'A page of sales.', schema: listEnvelopeSchema(saleResponseSchema), example: { data: [SALE_EXAMPLE], next_cursor: null } }],
    handler: ({ dataSource: { manager: em } }) => async ({ query: q, venue, res }) => {
      const found = await saleViews(em, {
        venueId: venue.id,
        timezone: venue.timezone,
        date: q.date,
        bookingRef: q.booking_id,
        unmatched: q.unmatched,
        status: q.status,
      }, keysetSql(SALES_KEYSET, q));
      if (!found) {
        res.json(listResponse([], null));
        return;
      }
      const page = pageOf(found, SALES_KEYSET, q.limit);
      res.json(pageResponse(page, (r) => r.view));
    },
  }),
  defineOperation({
    id: 'getSale', method: 'get', path: '/sales/:id', tag: 'Sales', auth: 'apiKey', scope: 'sales:read',
    summary: 'A sale with its items',
    responses: [{ status: 200, description: 'The sale.', schema: saleResponseSchema, example: SALE_EXAMPLE }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, venue, res }) => {
      const found = await getSale(em, venue.id, params.id);
      if (!found) throw notFound('Sale');
      res.json(presentSale(found.sale, found.items));
    },
  }),
  defineOperation({
    id: 'listSaleCandidates', method: 'get', path: '/sales/:id/candidates', tag: 'Sales', auth: 'apiKey', scope: 'sales:read',
    summary: 'The bookings a sale could belong to, best first',
    description:
      "The venue's bookings holding a table whose time (start − 30 min to end + 2 h) holds the sale's time, ranked by table, " +
      'status (the seated booking at that time first), time and covers, each with its reasons: one click from a manual match.',
    responses: [{
      status: 200, description: 'The candidates.', schema: saleCandidatesResponseSchema(bookingSchema),
      example: { data: [{ booking: BOOKING_EXAMPLE, score: 90, reasons: ['at table 12, as the sale', 'seated', "the sale's time 19:40 is within the booking (19:00–20:30)"] }] },
    }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, venue, res }) => {
      const candidates = await saleCandidates(em, { id: venue.id, timezone: venue.timezone }, params.id);
      if (!candidates) throw notFound('Sale');
      res.json({ data: candidates });
    },
  }),
  defineOperation({
    id: 'matchSale', method: 'patch', path: '/sales/:id', tag: 'Sales', auth: 'apiKey', scope: 'sales:write',
    summary: 'Link a sale to a booking by hand, or unlink it',
    description:
      'Sets `match: "manual"`, raises `version` and sends `sale.recorded`, and `sale.matched` when the booking changed. ' +
      '`booking_id: null` removes the link (`match: null`; `sale.matched` carries `booking_id: null`); ' +
      'the automatic rule may then match the sale again. A booking that is not this venue\'s is 404. Repeating a request changes nothing.',
    body: bodySchema<MatchSaleBody>(matchSaleSchema), bodyExample: { booking_id: 'TS-7K3M9Q' },
    responses: [{ status: 200, description: 'The sale.', schema: saleResponseSchema, example: { ...SALE_EXAMPLE, match: 'manual', version: 3 } }],
    errors: ['not_found'],
    handler: (deps) => async ({ body, params, venue, res }) => {
      const result = await deps.dataSource.transaction((tx) =>
        manualMatchSale(tx, { venueId: venue.id, saleId: params.id, bookingRef: body.booking_id }),
      );
      res.json(presentSale(result.sale, result.items));
    },
  }),
];
