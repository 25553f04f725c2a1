import { createVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  eventRow,
  killWorkerMidEvent,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  salesOf,
  signedPost,
  startHubApp,
  type HubApp,
  waitForEvent,
} from '../helpers/partner';
import { uniq } from '../helpers/test-app';

describe('inbound pipeline: a worker dies mid-job', () => {
  let t: HubApp;
  beforeAll(async () => {
    t = await startHubApp();
  });
  afterAll(() => t.stop());

  it('loses nothing: stalled-job recovery processes the event on another worker, once, into one sale', async () => {
    const venueId = (await createVenue(t)).id;
    const p = await createTestPartner(t);
    await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(t, p.name, 'loc-1', venueId);

    // Worker A gets as far as `processing`, then hangs there for good and is killed without finishing.
    // (The stalled check runs queue-wide at most once per stalledInterval of whichever worker ran it last.)
    const saleId = uniq('S');
    const eventId = await killWorkerMidEvent(t, p, { id: saleId, total: 777 });
    expect((await eventRow(t, eventId))!.status).toBe('processing');

    // The sale stays held meanwhile: no second event slips in.
    expect((await signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version: 2 }))).status).toBe(409);

    // Worker B notices the stalled job once A's job lock lapses and processes it.
    t.startWorker({ stalledInterval: 300, lockDuration: 1000 });
    const row = await waitForEvent(t, eventId, ['processed', 'failed'], 20_000);
    expect(row.status).toBe('processed');
    expect(row.attempts).toBe(2);
    const sales = await salesOf(t, p.name, saleId);
    expect(sales).toHaveLength(1);
    expect(Number(sales[0]!.total)).toBe(777);

    // B released the sale (same owner: the event id), so the POS can go on.
    const next = await signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version: 2, total: 800 }));
    expect(next.status).toBe(200);
    expect((await waitForEvent(t, next.body.event_id)).status).toBe('processed');
    expect(await salesOf(t, p.name, saleId)).toHaveLength(1);
  }, 40_000);
});
