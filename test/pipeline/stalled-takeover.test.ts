import { createVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  killWorkerMidEvent,
  linkLocation,
  putMapping,
  SALE_MAPPING,
  startHubApp,
  type HubApp,
  waitForEvent,
} from '../helpers/partner';
import { uniq } from '../helpers/test-app';

describe('inbound pipeline: how soon a dead worker’s events run again, with the default job locks', () => {
  let t: HubApp;
  beforeAll(async () => {
    t = await startHubApp();
  });
  afterAll(() => t.stop());

  it('takes over the event of a killed worker within about 15 s (lockDuration 10 s + stalledInterval 5 s)', async () => {
    const venueId = (await createVenue(t)).id;
    const p = await createTestPartner(t);
    await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
    await linkLocation(t, p.name, 'loc-1', venueId);

    // The default locks on both workers (the helper's short test locks switched off).
    const defaults = { lockDuration: undefined, stalledInterval: undefined };
    const eventId = await killWorkerMidEvent(t, p, { id: uniq('S'), total: 900 }, defaults);
    const killedAt = Date.now();
    t.startWorker(defaults);
    const row = await waitForEvent(t, eventId, ['processed', 'failed'], 20_000);
    expect(row.status).toBe('processed');
    expect(Date.now() - killedAt).toBeLessThan(20_000);
  }, 40_000);
});
