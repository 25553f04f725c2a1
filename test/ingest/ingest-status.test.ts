import { InboundEvent } from '../../src/platform/db/entities';
import { createVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  eventRow,
  jobState,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  salesOf,
  signedPost,
  startHubApp,
  TEST_HOST,
  type HubApp,
  type TestPartner,
  waitForEvent,
} from '../helpers/partner';
import { uniq } from '../helpers/test-app';

describe('partner ingestion: answers (CONTRACT §4)', () => {
  let t: HubApp;
  let partner: TestPartner;
  let venueId: string;

  beforeAll(async () => {
    // No worker: accepted events stay queued, so the lock and the queue can be inspected.
    t = await startHubApp();
    venueId = (await createVenue(t)).id;
    partner = await createTestPartner(t);
    await putMapping(t, partner.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(t, partner.name, 'loc-1', venueId);
  });
  afterAll(() => t.stop());

  const countEvents = async (name: string) => t.composed.deps.dataSource.manager.count(InboundEvent, { where: { partner: name } });
  const queuedJobs = async () => (await t.composed.deps.queues.inboundEvents.getJobs(['waiting'])).filter((j) => j.data.partner === partner.name);

  it('accepts a signed event: 200 {status: "accepted", event_id}, durably queued with the exact bytes', async () => {
    const body = JSON.stringify(saleEvent({ id: uniq('S') }));
    const res = await signedPost(t, partner, 'sale.updated', body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'accepted', event_id: expect.stringMatching(/^evt_/) });
    const job = await t.composed.deps.queues.inboundEvents.getJob(res.body.event_id);
    expect(job?.data.rawPayload).toBe(body);
    expect(await jobState(t, res.body.event_id)).toBe('waiting');
    // Visible in the event log at once, although no worker has written its row yet.
    const detail = await t.admin('get', `/admin/v1/events/${res.body.event_id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: res.body.event_id, status: 'queued', raw_payload: body, event_type: 'sale.updated' });
  });

  it('takes the callback route the same way', async () => {
    const res = await signedPost(t, partner, 'sale.updated', saleEvent({ id: uniq('S') }), { route: 'callback' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('accepted');
  });

  it('refuses an unknown partner with 400 unknown_partner', async () => {
    const res = await signedPost(t, { ...partner, name: uniq('nobody') }, 'sale.updated', saleEvent());
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'unknown_partner', message: expect.any(String), details: null });
  });

  it('refuses a disabled partner with 400 unknown_partner', async () => {
    const off = await createTestPartner(t, { enabled: false });
    const res = await signedPost(t, off, 'sale.updated', saleEvent());
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('unknown_partner');
  });

  it('refuses a request without a signature with 400 missing_signature, keeping nothing', async () => {
    const before = (await queuedJobs()).length;
    const res = await t.http
      .post(`/partners/${partner.name}/events/sale.updated`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(saleEvent()));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('missing_signature');
    expect((await queuedJobs()).length).toBe(before);
  });

  it('refuses a wrong secret and a tampered body with 400 invalid_signature', async () => {
    const wrong = await signedPost(t, partner, 'sale.updated', saleEvent(), { secret: 'not-the-secret' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_signature');

    const body = JSON.stringify(saleEvent({ total: 100 }));
    expect((await signedPost(t, partner, 'sale.updated', body)).status).toBe(200);
    const headerValue = (await import('../helpers/sign')).signFor('hmac-sha256-hex', { secret: partner.secret, rawBody: body });
    const tampered = await t.http
      .post(`/partners/${partner.name}/events/sale.updated`)
      .set(headerValue)
      .set('Content-Type', 'application/json')
      .send(body.replace('"total":100', '"total":999'));
    expect(tampered.status).toBe(400);
    expect(tampered.body.error.code).toBe('invalid_signature');
  });

  it('refuses a body over 1 MiB with 413 payload_too_large', async () => {
    const huge = Buffer.alloc(1024 * 1024 + 1, 0x20);
    const res = await signedPost(t, partner, 'sale.updated', huge);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('refuses a body the adapter cannot parse with 400 invalid_payload, keeping nothing', async () => {
    const before = (await queuedJobs()).length;
    for (const body of ['{"not json', '', '\xff\xfe']) {
      const res = await signedPost(t, partner, 'sale.updated', Buffer.from(body, 'latin1'));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_payload');
    }
    expect((await queuedJobs()).length).toBe(before);
  });

  it('answers a verified webhooks.test_notification with 200 {"status":"ok"} and stores nothing', async () => {
    const p = await createTestPartner(t);
    const res = await signedPost(t, p, 'webhooks.test_notification', { hello: 'world' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(await countEvents(p.name)).toBe(0);
    expect((await t.composed.deps.queues.inboundEvents.getJobs(['waiting'])).filter((j) => j.data.partner === p.name)).toHaveLength(0);
    // The signature still counts.
    const bad = await signedPost(t, p, 'webhooks.test_notification', { hello: 'world' }, { secret: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_signature');
  });

  it('answers 409 sale_in_progress with Retry-After: 60 while the sale is queued, and keeps nothing of it', async () => {
    const saleId = uniq('S');
    const first = await signedPost(t, partner, 'sale.updated', saleEvent({ id: saleId }));
    expect(first.status).toBe(200);
    const before = (await queuedJobs()).length;
    const second = await signedPost(t, partner, 'sale.updated', saleEvent({ id: saleId, version: 2 }));
    expect(second.status).toBe(409);
    expect(second.headers['retry-after']).toBe('60');
    expect(second.body.error.code).toBe('sale_in_progress');
    expect((await queuedJobs()).length).toBe(before);
    // Another sale is not held up.
    const other = await signedPost(t, partner, 'sale.updated', saleEvent({ id: uniq('S') }));
    expect(other.status).toBe(200);
  });

  it('processes accepted events once a worker runs, and frees the sale', async () => {
    const saleId = uniq('S');
    const first = await signedPost(t, partner, 'sale.updated', saleEvent({ id: saleId }));
    expect((await signedPost(t, partner, 'sale.updated', saleEvent({ id: saleId }))).status).toBe(409);
    const worker = t.startWorker();
    try {
      const row = await waitForEvent(t, first.body.event_id);
      expect(row.status).toBe('processed');
      expect(row.attempts).toBe(1);
      expect(row.saleId).toBe(saleId);
      expect(await salesOf(t, partner.name, saleId)).toHaveLength(1);
      const again = await signedPost(t, partner, 'sale.updated', saleEvent({ id: saleId, version: 2 }));
      expect(again.status).toBe(200);
      expect((await waitForEvent(t, again.body.event_id)).status).toBe('processed');
    } finally {
      await worker.close();
    }
  });

  it('signs Square-style URL schemes over the URL the POS used', async () => {
    const sq = await createTestPartner(t, { adapter: 'square', scheme: 'square-hmac' });
    const ok = await signedPost(t, sq, 'webhooks.test_notification', '{}');
    expect(ok.status).toBe(200);
    // Same bytes and signature, other host: the signed URL differs.
    const headers = (await import('../helpers/sign')).signFor(
      'square-hmac',
      { secret: sq.secret, rawBody: '{}', url: `http://${TEST_HOST}/partners/${sq.name}/events/webhooks.test_notification` },
      (await import('../../adapters')).getAdapter('square'),
    );
    const elsewhere = await t.http.post(`/partners/${sq.name}/events/webhooks.test_notification`).set('Host', 'evil.test').set(headers).send('{}');
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.code).toBe('invalid_signature');
  });

  it('never stores an event row at the edge: the worker writes it', async () => {
    const res = await signedPost(t, partner, 'sale.updated', saleEvent({ id: uniq('S') }));
    expect(await eventRow(t, res.body.event_id)).toBeNull();
  });
});
