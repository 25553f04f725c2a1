import type { FromSchema } from 'json-schema-to-ts';
import { customerSchema } from '../../../modules/customers';
import { PAGINATION_QUERY_PROPERTIES } from './pagination.schema';

export const PERSON_NAME = { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S', example: 'Ada Lovelace' } as const;
export const EMAIL = {
  type: ['string', 'null'],
  format: 'email',
  maxLength: 254,
  description: 'Matches an existing customer case-insensitively.',
  example: 'ada@example.com',
} as const;
export const PHONE = {
  type: ['string', 'null'],
  pattern: '^\\+?[0-9 ().-]{4,32}$',
  description: 'Any common format; stored as E.164, numbers without a country code read in the venue\'s country.',
  example: '+44 7911 123456',
} as const;

/** `POST /api/v1/customers`: creates (201) or updates (200) the customer with this email or phone. */
export const upsertCustomerSchema = {
  $id: 'UpsertCustomer',
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: PERSON_NAME,
    email: EMAIL,
    phone: PHONE,
    notes: { type: ['string', 'null'], maxLength: 2000, description: 'Notes about the guest.', example: 'Prefers a quiet table.' },
  },
} as const;
export type UpsertCustomerBody = FromSchema<typeof upsertCustomerSchema>;

/** `GET /api/v1/customers` query. Ordered by name, id. */
export const listCustomersQuerySchema = {
  $id: 'ListCustomersQuery',
  type: 'object',
  additionalProperties: false,
  properties: {
    q: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description: 'Prefix of a word of the name, of the email, or of the phone (any format).',
      example: 'lovel',
    },
    ...PAGINATION_QUERY_PROPERTIES,
  },
} as const;
export type ListCustomersQuery = FromSchema<typeof listCustomersQuerySchema>;

/** The customer object (CONTRACT §2): the customers module's view (src/modules/customers/customer.view.ts), the same object. */
export { customerSchema };

/** `GET /api/v1/customers/:id`: the customer with their booking history, newest first. */
export const customerDetailSchema = {
  $id: 'CustomerDetail',
  allOf: [
    { $ref: 'Customer' },
    {
      type: 'object',
      required: ['bookings'],
      properties: { bookings: { type: 'array', items: { $ref: 'Booking' } } },
    },
  ],
} as const;
