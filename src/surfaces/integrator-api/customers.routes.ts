import type { Customer } from '../../platform/db/entities';
import { bookingViews } from '../../modules/diary';
import { findCustomer, presentCustomers } from '../../modules/customers';
import { customerSearchQuery } from '../../modules/customers';
import { normalizeContact, upsertCustomer } from '../../modules/customers';
import { notFound } from '../../platform/app-error';
import { BOOKING_EXAMPLE, CUSTOMER_EXAMPLE } from '../http/openapi/examples';
import { bodySchema, defineOperation, querySchema } from '../http/operation';
import { listResponse, paginate, type Keyset } from '../http/pagination';
import {
  customerDetailSchema, customerSchema, listCustomersQuerySchema, upsertCustomerSchema, type ListCustomersQuery, type UpsertCustomerBody,
} from '../http/schemas/customer.schema';
import { listEnvelopeSchema } from '../http/schemas/pagination.schema';

const CUSTOMERS_KEYSET: Keyset<Customer> = {
  name: 'customers',
  keys: [
    { column: 'c.name', value: (c) => c.name },
    { column: 'c.id', value: (c) => c.id },
  ],
};

/** Booking history shown on a customer; older ones via GET /bookings?customer_id=. */
const HISTORY_LIMIT = 200;

/** `/api/v1/customers` (CONTRACT §6). */
export const customerOperations = [
  defineOperation({
    id: 'listCustomers', method: 'get', path: '/customers', tag: 'Customers', auth: 'apiKey', scope: 'customers:read',
    summary: 'List or search customers', query: querySchema<ListCustomersQuery>(listCustomersQuerySchema),
    responses: [{ status: 200, description: 'A page of customers.', schema: listEnvelopeSchema(customerSchema), example: { data: [CUSTOMER_EXAMPLE], next_cursor: null } }],
    handler: ({ dataSource: { manager: em } }) => async ({ query: q, venue, res }) => {
      const page = await paginate(customerSearchQuery(em, venue.id, q.q, venue.country), CUSTOMERS_KEYSET, q);
      res.json(listResponse(await presentCustomers(em, page.rows, venue.currency), page.nextCursor));
    },
  }),
  defineOperation({
    id: 'upsertCustomer', method: 'post', path: '/customers', tag: 'Customers', auth: 'apiKey', scope: 'customers:write',
    summary: 'Create a customer, or update the one with this email or phone',
    description: 'Matched by email (case-insensitive) or phone (E.164). Send an `Idempotency-Key` to retry safely.',
    body: bodySchema<UpsertCustomerBody>(upsertCustomerSchema),
    bodyExample: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 7911 123456' },
    idempotency: true,
    responses: [
      { status: 201, description: 'Created.', schema: customerSchema, example: CUSTOMER_EXAMPLE },
      { status: 200, description: 'An existing customer was updated.', schema: customerSchema, example: CUSTOMER_EXAMPLE },
    ],
    errors: ['idempotency_key_reused', 'idempotency_in_progress'],
    handler: (deps) => async ({ body, venue, res }) => {
      const contact = normalizeContact(body, venue.country);
      // READ COMMITTED: after losing an insert race the upsert must see the winner's row.
      const { customer, created } = await deps.dataSource.transaction('READ COMMITTED', (tx) => upsertCustomer(tx, venue.id, contact, venue.currency));
      const [view] = await presentCustomers(deps.dataSource.manager, [customer], venue.currency);
      res.status(created ? 201 : 200).json(view);
    },
  }),
  defineOperation({
    id: 'getCustomer', method: 'get', path: '/customers/:id', tag: 'Customers', auth: 'apiKey', scope: 'customers:read',
    summary: 'A customer with booking history and spend',
    responses: [{ status: 200, description: 'The customer.', schema: customerDetailSchema, example: { ...CUSTOMER_EXAMPLE, bookings: [BOOKING_EXAMPLE] } }],
    errors: ['not_found'],
    handler: ({ dataSource: { manager: em } }) => async ({ params, venue, res }) => {
      const customer = await findCustomer(em, venue.id, params.id);
      if (!customer) throw notFound('Customer');
      const history = await bookingViews(em, venue.id, { customerId: customer.id }, { orderBy: 'b.start_at DESC, b.id DESC', limit: HISTORY_LIMIT });
      const [view] = await presentCustomers(em, [customer], venue.currency);
      res.json({ ...view, bookings: history.map((h) => h.view) });
    },
  }),
];
