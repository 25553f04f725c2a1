/** The guest-facing response schemas: what manageView and presentEnquiry render, and what the OpenAPI document publishes. */
import { DATE, HHMM, type View } from '../../platform/json-schema';

/** `GET /public/bookings/:token` (CONTRACT §15): the guest's own booking and what may still change. */
export const manageViewSchema = {
  $id: 'ManageView',
  type: 'object',
  required: ['reference', 'status', 'date', 'time', 'party_size', 'venue', 'can_change', 'can_cancel', 'change_deadline'],
  properties: {
    reference: { type: 'string', example: 'TS-7K3M9Q' },
    status: { type: 'string', example: 'confirmed' },
    date: DATE,
    time: HHMM,
    party_size: { type: 'integer', example: 2 },
    venue: {
      type: 'object',
      required: ['name', 'slug', 'timezone'],
      properties: { name: { type: 'string' }, slug: { type: 'string' }, timezone: { type: 'string' }, currency: { type: 'string' } },
    },
    can_change: { type: 'boolean', description: 'Date, time and party size may still be changed here.' },
    can_cancel: { type: 'boolean' },
    change_deadline: { type: ['string', 'null'], format: 'date-time', description: 'Changes and cancelling online end then (cancellation_hours before the start).' },
    start_at: { type: 'string', format: 'date-time' },
    end_at: { type: 'string', format: 'date-time' },
    policies: {
      type: 'object',
      required: ['cancellation_hours', 'text'],
      description: "The venue's `cancellation_hours` and `policies_text` (CONTRACT \"Venue settings\").",
      properties: { cancellation_hours: { type: 'number' }, text: { type: 'string' } },
    },
  },
} as const;

export type ManageView = View<typeof manageViewSchema>;

export const enquiryResponseSchema = {
  $id: 'Enquiry',
  type: 'object',
  required: ['id', 'name', 'email', 'phone', 'date', 'party_size', 'message', 'created_at'],
  properties: {
    id: { type: 'string', example: 'enq_0mhv2k1q3a8x4n2p7r9t1c' },
    name: { type: 'string' },
    email: { type: 'string' },
    phone: { type: ['string', 'null'] },
    date: { type: ['string', 'null'] },
    party_size: { type: ['integer', 'null'] },
    message: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

export type EnquiryView = View<typeof enquiryResponseSchema>;
