import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { EntityManager } from 'typeorm';
import { bookedSchema, bookingSchema, findBooking, presentOneBooking } from '../../src/modules/diary';
import { customerSchema, presentCustomers } from '../../src/modules/customers';
import { findManagedBooking, manageView, manageViewSchema } from '../../src/modules/guests';
import { emailSchema, presentEmail, presentEmailDetail } from '../../src/modules/notifications';
import { bookingDetailSchema, presentBookingWithSales, presentSale, saleResponseSchema, type SaleView } from '../../src/modules/sales';
import {
  attemptsOf, getWebhook, presentDelivery, presentWebhook, webhookDeliveryResponseSchema, webhookResponseSchema,
} from '../../src/modules/webhooks';
import { ApiKey, Customer, Email, Sale, SaleItem, WebhookDelivery } from '../../src/platform/db/entities';
import { newId } from '../../src/platform/ids';
import { presentApiKey } from '../../src/surfaces/http/presenters/api-key.presenter';
import { apiKeyResponseSchema } from '../../src/surfaces/http/schemas/people.schema';
import { createApiKey, createVenue } from '../helpers/fixtures';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

type Schema = Record<string, unknown>;

/** Fields a presenter passes on as stored, not builds: their optional parts stay optional. */
const AS_STORED = new Set(['payments']);

/**
 * The schema as a view must match it exactly: every object that lists `properties` takes no other field and
 * needs every one it lists (a presenter that drops a field, adds one, or renames one fails), at every depth
 * but inside AS_STORED fields. `$id`s are dropped so one ajv instance compiles them all.
 */
function exactly(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(exactly);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema as Schema)) {
    if (k === '$id') continue;
    if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, AS_STORED.has(p) ? s : exactly(s)]));
    } else if (k === 'items' || k === 'additionalProperties') out[k] = exactly(v);
    else out[k] = v;
  }
  if (out.properties && !('additionalProperties' in out)) {
    out.additionalProperties = false;
    out.required = Object.keys(out.properties as Schema);
  }
  return out;
}

/**
 * Each presenter's output for real rows, checked against the response schema it is typed by (the one the
 * OpenAPI document publishes): the compile-time View<S> check, repeated at run time on real data.
 */
describe('views match their response schemas', () => {
  let t: TestApp;
  let em: EntityManager;
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  addFormats(ajv);
  const compiled = new Map<unknown, ValidateFunction>();
  const expectView = (schema: object, view: unknown, what: string) => {
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(exactly(schema) as Schema)));
    const ok = validate(view);
    expect(`${what}: ${ok ? 'matches' : ajv.errorsText(validate.errors)}`).toBe(`${what}: matches`);
  };

  beforeAll(async () => {
    t = await startTestApp();
    em = t.composed.deps.dataSource.manager;
  });
  afterAll(() => t.stop());

  it('booking, booking detail, manage view, sale, customer, email, webhook, delivery and API key', async () => {
    const venue = await createVenue(t);
    const key = await createApiKey(t, venue.id);
    const api = (method: 'get' | 'post', path: string) => t.http[method](path).set('Authorization', `Bearer ${key}`);

    // A webhook on every event, at a port nobody answers: the booking below gives it a failed delivery.
    const hook = await api('post', '/api/v1/webhooks').send({ url: 'http://127.0.0.1:9/hook', events: ['*'] });
    expect(hook.status).toBe(201);

    const created = await api('post', '/api/v1/bookings')
      .send({ date: '2030-05-01', time: '19:00', party_size: 2, customer_name: 'Ada Lovelace', email: `${uniq('ada')}@example.com`, notes: 'Window' });
    expect(created.status).toBe(201);
    const booking = (await findBooking(em, venue.id, created.body.id))!;
    expectView(bookingSchema, await presentOneBooking(em, booking), 'presentBooking');
    // POST /bookings answers the booking and its manage link, as the document's 201 says.
    expectView(bookedSchema, created.body, 'POST /api/v1/bookings (201)');
    expect(created.body.manage_url).toMatch(/\/manage\/[A-Za-z0-9_-]{22,}$/);

    // A sale matched to it, with an item and a payment whose tip is null (the sale command allows it).
    const now = new Date();
    const sale = em.create(Sale, {
      id: newId('sl'), partner: 'testpos', saleId: uniq('s'), venueId: venue.id, locationId: 'L1', bookingId: booking.id,
      matchMethod: 'manual', status: 'closed', total: 4250, subtotal: 4000, tax: 250, tip: null, discount: null, currency: 'GBP',
      tableNumber: '12', covers: 2, openedAt: now, closedAt: now, receivedAt: now, matchAt: now, sourceVersion: null,
      payments: [{ method: 'card', amount: 4250, tip: null }, { method: 'cash', amount: 0 }], version: 1, createdAt: now, updatedAt: now,
    });
    await em.insert(Sale, sale);
    const item = em.create(SaleItem, {
      id: newId('sli'), saleRowId: sale.id, position: 0, name: 'Margherita', quantity: 2, unitPrice: 1100, total: 2200, sku: null, category: 'Pizza',
    });
    await em.insert(SaleItem, item);
    expectView(saleResponseSchema, presentSale(sale, [item]), 'presentSale');

    // The detail is the booking plus its sales and spend (bookingDetailSchema's allOf).
    const { sales, spend, ...detailBooking } = await presentBookingWithSales(em, booking, 'GBP');
    expectView(bookingSchema, detailBooking, 'presentBookingWithSales (the booking)');
    expect(sales).toHaveLength(1);
    for (const s of sales ?? []) expectView(saleResponseSchema, s, 'presentBookingWithSales (a sale)');
    const [, detailPart] = bookingDetailSchema.allOf;
    expectView(detailPart.properties.spend, spend, 'presentBookingWithSales (spend)');

    const token = String(created.body.manage_url).split('/').pop()!;
    const managed = (await findManagedBooking(em, token))!;
    expect(managed).not.toBeNull();
    expectView(manageViewSchema, manageView(managed), 'manageView');

    const customer = (await em.findOne(Customer, { where: { id: booking.customerId! } }))!;
    const [customerView] = await presentCustomers(em, [customer], 'GBP');
    expectView(customerSchema, customerView, 'presentCustomer');

    // The confirmation email (kept: the test server has no SMTP_URL).
    const email = await waitFor(() => em.findOne(Email, { where: { venueId: venue.id, bookingId: booking.id } }), { what: 'the confirmation email' });
    expectView(emailSchema, presentEmail(email), 'presentEmail');
    const { text, html, attempt_log: attemptLog, ...emailPart } = await presentEmailDetail(em, email);
    expectView(emailSchema, emailPart, 'presentEmailDetail (the email)');
    expect([typeof text, typeof html, Array.isArray(attemptLog)]).toEqual(['string', 'string', true]);

    expectView(webhookResponseSchema, presentWebhook(await getWebhook(em, venue.id, hook.body.id)), 'presentWebhook');
    const delivery = await waitFor(async () => {
      const d = await em.findOne(WebhookDelivery, { where: { webhookId: hook.body.id } });
      return d && d.attempts > 0 ? d : null;
    }, { what: 'a delivery attempt' });
    const attempts = (await attemptsOf(em, [delivery.id])).get(delivery.id) ?? [];
    expect(attempts.length).toBeGreaterThan(0);
    expectView(webhookDeliveryResponseSchema, presentDelivery(delivery, attempts), 'presentDelivery');

    const apiKey = (await em.findOne(ApiKey, { where: { venueId: venue.id } }))!;
    expectView(apiKeyResponseSchema, presentApiKey(apiKey), 'presentApiKey');
  });

  it('a schema check that would catch a drift: a field added to or missing from a view fails', () => {
    const validate = ajv.compile(exactly(saleResponseSchema) as Schema);
    const now = new Date();
    const view = presentSale(em.create(Sale, {
      id: 'sl_x', partner: 'p', saleId: 's', venueId: 'v', locationId: 'L', bookingId: null, matchMethod: null, status: 'open',
      total: 1, subtotal: null, tax: null, tip: null, discount: null, currency: 'GBP', tableNumber: null, covers: null, openedAt: null,
      closedAt: null, receivedAt: now, matchAt: now, sourceVersion: null, payments: null, version: 1, createdAt: now, updatedAt: now,
    }), []);
    expect(validate(view)).toBe(true);
    expect(validate({ ...view, extra: 1 })).toBe(false);
    const { covers: _covers, ...missing } = view;
    expect(validate(missing)).toBe(false);
    // The same two drifts at compile time (npm run typecheck covers test/): View<S> names exactly the schema's fields.
    // @ts-expect-error a field the schema does not name
    const _added: SaleView = { ...view, extra: 1 };
    // @ts-expect-error a field the schema requires, left out
    const _dropped: SaleView = missing;
  });
});
