import { BOOKING_STATUS_COMMAND_SCHEMA, RESERVATION_COMMAND_SCHEMA, SALE_COMMAND_SCHEMA } from '../../src/modules/commands/canonical-commands';
import { buildOpenApiDocument } from '../../src/surfaces/http/openapi/openapi-document';
import { DOCUMENTED_SURFACES } from '../../src/surfaces/surfaces';
import { createVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  signedPost,
  startHubApp,
  type HubApp,
  type TestPartner,
  waitForEvent,
} from '../helpers/partner';
import { uniq } from '../helpers/test-app';

/** A single built-in that runs for tens of seconds: JSONata's own guard, checked between nodes, never sees it. */
const RUNAWAY = '$length($string([1..10000000]))';
const TIMEOUT_MS = 400;

describe('mapping limits over HTTP, lossless admin bodies, command schemas', () => {
  let t: HubApp;
  let p: TestPartner;
  let venueId: string;

  beforeAll(async () => {
    t = await startHubApp({ MAPPING_TIMEOUT_MS: String(TIMEOUT_MS) });
    t.startWorker();
    venueId = (await createVenue(t)).id;
    p = await createTestPartner(t);
    await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(t, p.name, 'loc-1', venueId);
    // Start the mapping threads: their start-up is not what these tests time.
    await t.admin('post', `/admin/v1/partners/${p.name}/mappings/sale.updated/test`).send({ payload: {}, expression: '{"n": 1 + 1}' });
  });
  afterAll(() => t.stop());

  /** How long /healthz takes to answer when asked while `work` runs. */
  async function healthWhile<T>(work: Promise<T>): Promise<{ result: T; healthMs: number }> {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const asked = Date.now();
    const health = await t.http.get('/healthz');
    const healthMs = Date.now() - asked;
    expect(health.status).toBe(200);
    return { result: await work, healthMs };
  }

  it('answers a runaway dry run with 422 mapping_failed naming the time limit, the process answering meanwhile', async () => {
    const started = Date.now();
    const dryRun = t.admin('post', `/admin/v1/partners/${p.name}/mappings/sale.updated/test`).send({ payload: {}, expression: RUNAWAY });
    const { result: res, healthMs } = await healthWhile(dryRun.then((r) => r));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'mapping_failed',
      details: { limit: 'time', limit_ms: TIMEOUT_MS, code: 'U1002' },
    });
    expect(res.body.error.message).toMatch(new RegExp(`ran longer than ${TIMEOUT_MS} ms`));
    expect(healthMs).toBeLessThan(1000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('answers a dry run whose output is over the size limit with 422 mapping_failed naming it', async () => {
    // Twice a 600 kB string: read in-process by the direct reader, so no time limit can answer first.
    const res = await t
      .admin('post', `/admin/v1/partners/${p.name}/mappings/sale.updated/test`)
      .send({ payload: { s: 'x'.repeat(600_000) }, expression: '{"a": s, "b": s}' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'mapping_failed', details: { limit: 'output_size', limit_bytes: 1024 * 1024 } });
  });

  it('accepts a live event whose mapping runs away at the edge, then fails it in the pipeline with the reason; the API answers meanwhile', async () => {
    const runaway = await createTestPartner(t);
    await putMapping(t, runaway.name, 'sale.updated', `{"type": "sale", "location_id": location_id, "sale_id": ${RUNAWAY}, "status": "open", "total": 1}`);
    const post = signedPost(t, runaway, 'sale.updated', saleEvent({ id: uniq('S') }));
    const { result: res, healthMs } = await healthWhile(post.then((r) => r));
    expect(healthMs).toBeLessThan(1000);
    // Accepted: the event is kept and fails where replay can recover it once the mapping is fixed.
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('accepted');
    const row = await waitForEvent(t, res.body.event_id);
    expect(row.status).toBe('failed');
    expect(row.reason).toMatch(new RegExp(`Mapping failed: Mapping ran longer than ${TIMEOUT_MS} ms and was stopped`));
    expect(row.errors).toEqual([expect.objectContaining({ code: 'U1002', message: expect.stringMatching(/was stopped/) })]);

    // The pool recovered: a normal event of another partner goes through.
    const ok = await signedPost(t, p, 'sale.updated', saleEvent({ id: uniq('S') }));
    expect((await waitForEvent(t, ok.body.event_id)).status).toBe('processed');
  });

  it('parses admin bodies losslessly: a dry run with a JSON-object payload keeps every digit', async () => {
    const raw = `{"payload": {"location_id": 9765040300495493, "sale": {"id": 9765040300495493123, "status": "closed", "total": 1, "currency": "GBP"}}}`;
    const res = await t
      .admin('post', `/admin/v1/partners/${p.name}/mappings/sale.updated/test`)
      .set('Content-Type', 'application/json')
      .send(raw);
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    expect(res.body.output[0]).toMatchObject({ location_id: '9765040300495493', sale_id: '9765040300495493123' });
  });

  it('keeps 19 digits through $json of a JSON string inside the payload, and routes the mapping by it', async () => {
    const expression = '($p := $json(payload); {"type": "sale", "location_id": $p.location, "sale_id": $p.id, "status": "closed", "total": $minor($p.amount, "GBP"), "currency": "GBP"})';
    const res = await t.admin('post', `/admin/v1/partners/${p.name}/mappings/sale.updated/test`).send({
      payload: { payload: '{"id": 9765040300495493123, "location": "loc-1", "amount": "19.99"}' },
      expression,
    });
    expect(res.status).toBe(200);
    expect(res.body.output).toEqual([expect.objectContaining({ sale_id: '9765040300495493123', total: 1999 })]);
  });

  it('still refuses invalid JSON bodies with 400 invalid_json', async () => {
    for (const body of ['{oops', '"a string"', '{"a": 1, "a": 2}']) {
      const res = await t.admin('post', '/admin/v1/partners').set('Content-Type', 'application/json').send(body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 400, code: 'invalid_json' });
    }
  });

  it('serves the canonical commands\' JSON Schemas, the ones the pipeline validates with, and has them in OpenAPI', async () => {
    const res = await t.admin('get', '/admin/v1/schemas/commands');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(JSON.parse(JSON.stringify({ sale: SALE_COMMAND_SCHEMA, booking_status: BOOKING_STATUS_COMMAND_SCHEMA, reservation: RESERVATION_COMMAND_SCHEMA })));
    expect(Object.keys(res.body.sale.properties)).toEqual(expect.arrayContaining(['sale_id', 'location_id', 'total', 'currency', 'items', 'payments']));
    expect((await t.http.get('/admin/v1/schemas/commands')).status).toBe(401);

    const components = (buildOpenApiDocument(DOCUMENTED_SURFACES) as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }).components.schemas;
    expect(Object.keys(components.SaleCommand!.properties)).toEqual(Object.keys(SALE_COMMAND_SCHEMA.properties));
    expect(Object.keys(components.BookingStatusCommand!.properties)).toEqual(Object.keys(BOOKING_STATUS_COMMAND_SCHEMA.properties));
    expect(Object.keys(components.ReservationCommand!.properties)).toEqual(Object.keys(RESERVATION_COMMAND_SCHEMA.properties));
  });
});
