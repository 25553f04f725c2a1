import { Router } from 'express';
import type { AppDeps } from '../../../app-deps';
import type { Customer } from '../../../db/entities';
import { bookingListQuery, presentBookings } from '../../../domain/bookings/load-booking';
import { findCustomer, presentCustomers } from '../../../domain/customers/customer-stats';
import { customerSearchQuery } from '../../../domain/customers/search-customers';
import { normalizeContact, upsertCustomer } from '../../../domain/customers/upsert-customer';
import { notFound } from '../../../shared/app-error';
import { getAuth, requireScope } from '../../middleware/api-key-auth';
import { idempotency } from '../../middleware/idempotency';
import { compileQuerySchema, listResponse, paginate, type Keyset } from '../../pagination';
import { listCustomersQuerySchema, upsertCustomerSchema, type ListCustomersQuery, type UpsertCustomerBody } from '../../schemas/customer.schema';
import { compileSchema, parseWith } from '../../validation';

const validateUpsert = compileSchema<UpsertCustomerBody>(upsertCustomerSchema);
const parseListQuery = compileQuerySchema<ListCustomersQuery>(listCustomersQuerySchema);

const CUSTOMERS_KEYSET: Keyset<Customer> = {
  name: 'customers',
  keys: [
    { column: 'c.name', value: (c) => c.name },
    { column: 'c.id', value: (c) => c.id },
  ],
};

/** Booking history shown on a customer; older ones via GET /bookings?customer_id=. */
const HISTORY_LIMIT = 200;

export function customersRouter(deps: AppDeps): Router {
  const router = Router();
  const em = deps.dataSource.manager;
  const idempotent = idempotency(deps);

  router.get('/customers', requireScope('customers:read'), async (req, res) => {
    const q = parseListQuery(req.query);
    const { venue } = getAuth(res);
    const page = await paginate(customerSearchQuery(em, venue.id, q.q, venue.country), CUSTOMERS_KEYSET, q);
    res.json(listResponse(await presentCustomers(em, page.rows, venue.currency), page.nextCursor));
  });

  router.post('/customers', requireScope('customers:write'), idempotent, async (req, res) => {
    const body = parseWith(validateUpsert, req.body);
    const { venue } = getAuth(res);
    const contact = normalizeContact(body, venue.country);
    // READ COMMITTED: after losing an insert race the upsert must see the winner's row.
    const { customer, created } = await deps.dataSource.transaction('READ COMMITTED', (tx) => upsertCustomer(tx, venue.id, contact, venue.currency));
    const [view] = await presentCustomers(em, [customer], venue.currency);
    res.status(created ? 201 : 200).json(view);
  });

  router.get('/customers/:id', requireScope('customers:read'), async (req, res) => {
    const { venue } = getAuth(res);
    const customer = await findCustomer(em, venue.id, req.params.id as string);
    if (!customer) throw notFound('Customer');
    const history = await bookingListQuery(em, venue.id, { customerId: customer.id })
      .orderBy('b.start_at', 'DESC')
      .addOrderBy('b.id', 'DESC')
      .limit(HISTORY_LIMIT)
      .getMany();
    const [view] = await presentCustomers(em, [customer], venue.currency);
    res.json({ ...view, bookings: await presentBookings(em, history) });
  });

  return router;
}
