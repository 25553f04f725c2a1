import { createVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  gate,
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

describe('partner ingestion: ack "processed" (CONTRACT §4)', () => {
  let t: HubApp;
  let partner: TestPartner;
  let blocked: ReturnType<typeof gate> | null = null;

  beforeAll(async () => {
    t = await startHubApp();
    t.startWorker({ beforeApply: async () => blocked?.promise });
    const venueId = (await createVenue(t)).id;
    partner = await createTestPartner(t, { ack: 'processed' });
    await putMapping(t, partner.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(t, partner.name, 'loc-1', venueId);
  });
  afterAll(async () => {
    blocked?.open();
    await t.stop();
  });

  it('answers 200 {status: "processed", event_id} once the worker has applied the event', async () => {
    const res = await signedPost(t, partner, 'sale.updated', saleEvent({ id: uniq('S') }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'processed', event_id: expect.stringMatching(/^evt_/) });
    // By the time the POS has its answer, the event log agrees.
    expect((await waitForEvent(t, res.body.event_id, ['processed'], 1000)).status).toBe('processed');
  });

  it('answers 200 {status: "ignored", reason} for an unknown location', async () => {
    const res = await signedPost(t, partner, 'sale.updated', saleEvent({ id: uniq('S'), location_id: 'nowhere' }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ignored', event_id: expect.any(String), reason: 'unknown location nowhere' });
  });

  it('answers 500 processing_failed when the mapping output fails the schema', async () => {
    const bad = await createTestPartner(t, { ack: 'processed' });
    await putMapping(t, bad.name, '*', '{"type": "sale", "location_id": "x", "sale_id": sale.id, "status": "eaten", "total": 1, "currency": "GBP"}');
    const res = await signedPost(t, bad, 'sale.updated', saleEvent({ id: uniq('S') }));
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('processing_failed');
    expect(res.body.error.details).toMatchObject({ event_id: expect.stringMatching(/^evt_/), reason: expect.stringContaining('/status') });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers 202 {status: "processing"} when the worker is still busy after 10 s; the event still finishes', async () => {
    blocked = gate();
    const started = Date.now();
    const res = await signedPost(t, partner, 'sale.updated', saleEvent({ id: uniq('S') }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'processing', event_id: expect.stringMatching(/^evt_/) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_900);
    blocked.open();
    blocked = null;
    expect((await waitForEvent(t, res.body.event_id)).status).toBe('processed');
  }, 40_000);
});
