import { availabilityFor } from '../../modules/diary';
import { defineOperation, querySchema } from '../http/operation';
import { availabilityQuerySchema, availabilityResponseSchema, type AvailabilityQuery } from '../http/schemas/availability.schema';

export const availabilityOperations = [
  defineOperation({
    id: 'getAvailability', method: 'get', path: '/availability', tag: 'Availability', auth: 'apiKey',
    scope: 'bookings:read', channels: true, summary: 'Bookable slots for a party on a date',
    query: querySchema<AvailabilityQuery>(availabilityQuerySchema),
    responses: [{
      status: 200, description: 'Every slot of the day.', schema: availabilityResponseSchema,
      example: { date: '2026-05-01', party_size: 2, slots: [{ time: '19:00', available: true, service_id: 'svc_0mhv2k1q3a8x4n2p7r9t1c' }] },
    }],
    handler: ({ dataSource: { manager: em } }) => async ({ query, venue, res }) => {
      const availability = await availabilityFor(em, venue, query);
      res.json({
        date: availability.date,
        party_size: availability.party_size,
        // Which tables are free is the venue's business, not the integrator's.
        slots: availability.slots.map(({ table_ids: _tables, ...slot }) => slot),
      });
    },
  }),
];
