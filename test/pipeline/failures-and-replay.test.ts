import { createVenue } from '../helpers/fixtures';
import {
  eventRow,
  jobState,
  partnerWithMapping,
  putMapping,
  SALE_MAPPING,
  saleEvent,
  salesOf,
  signedPost,
  startHubApp,
  type HubApp,
  type TestPartner,
  waitForEvent,
} from '../helpers/partner';
import { uniq } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

describe('inbound pipeline: failures, retries and replay', () => {
  let t: HubApp;
  let venueId: string;
  /** Sale ids whose next attempt should fail as if the database had hiccuped. */
  const failOnce = new Set<string>();

  beforeAll(async () => {
    t = await startHubApp();
    t.startWorker({
      beforeApply: async (eventId) => {
        const row = await eventRow(t, eventId);
        if (row?.saleId && failOnce.delete(row.saleId)) throw new Error('connection lost (simulated)');
      },
    });
    venueId = (await createVenue(t)).id;
  });
  afterAll(() => t.stop());

  const withMapping = (expression: string): Promise<TestPartner> => partnerWithMapping(t, venueId, expression);

  it('fails at once, with readable errors, when the mapping throws; no retry', async () => {
    const p = await withMapping('$error("no sale id in this payload")');
    const res = await signedPost(t, p, 'sale.updated', saleEvent({ id: uniq('S') }));
    expect(res.status).toBe(200); // accepted: the POS is not to blame for our mapping
    const row = await waitForEvent(t, res.body.event_id);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.reason).toMatch(/no sale id in this payload/);
    expect(row.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/no sale id in this payload/) })]);
    await waitFor(async () => (await jobState(t, res.body.event_id)) === 'failed', { what: 'the job to fail' });
    const job = await t.composed.deps.queues.inboundEvents.getJob(res.body.event_id);
    expect(job!.attemptsMade).toBe(1);
  });

  it('fails with the schema errors when the mapping outputs an invalid command, keeping the output', async () => {
    // "extra": not a field of the command (a root error, at path "").
    const p = await withMapping('{"type": "sale", "location_id": location_id, "sale_id": sale.id, "status": "eaten", "total": "lots", "extra": 1}');
    const res = await signedPost(t, p, 'sale.updated', saleEvent({ id: uniq('S') }));
    const row = await waitForEvent(t, res.body.event_id);
    expect(row.status).toBe('failed');
    expect(row.reason).toMatch(/^mapping output is not a valid command: command 0/);
    const errors = row.errors as { path: string; message: string }[];
    expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining(['', '/status', '/total']));
    expect(row.output).toMatchObject({ type: 'sale', status: 'eaten' });

    const detail = await t.admin('get', `/admin/v1/events/${res.body.event_id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ status: 'failed', output: { status: 'eaten' }, mapping_version: 1, raw_payload: expect.any(String) });
    expect(detail.body.errors.length).toBeGreaterThanOrEqual(3);
  });

  it('processes the stored payload again with the live mapping on replay', async () => {
    const p = await withMapping('$error("not written yet")');
    const saleId = uniq('S');
    const res = await signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, total: 1234 }));
    const eventId = res.body.event_id as string;
    expect((await waitForEvent(t, eventId)).status).toBe('failed');
    await waitFor(async () => (await jobState(t, eventId)) === 'failed', { what: 'the job to fail' });

    expect(await putMapping(t, p.name, 'sale.updated', SALE_MAPPING)).toBe(2);
    const replay = await t.admin('post', `/admin/v1/events/${eventId}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ status: 'accepted', event_id: eventId });
    const row = await waitForEvent(t, eventId, ['processed']);
    // Processed; the sale (no table number) is kept unmatched, and the log says why.
    expect(row).toMatchObject({ status: 'processed', mappingVersion: 2, attempts: 2, errors: null });
    expect(row.reason).toMatch(/^sale sl_\w+ unmatched: no booking id or table number$/);
    const sales = await salesOf(t, p.name, saleId);
    expect(sales).toHaveLength(1);
    expect(Number(sales[0]!.total)).toBe(1234);

    // Replaying a processed event again is harmless: the same sale, updated in place.
    expect((await t.admin('post', `/admin/v1/events/${eventId}/replay`)).status).toBe(202);
    await waitFor(async () => (await eventRow(t, eventId))?.attempts === 3 && (await eventRow(t, eventId))?.status === 'processed', {
      what: 'the second replay',
    });
    expect(await salesOf(t, p.name, saleId)).toHaveLength(1);
    expect((await t.admin('post', '/admin/v1/events/evt_doesnotexist/replay')).status).toBe(404);
  });

  it('retries a transient failure, keeping the sale held (409) through the backoff', async () => {
    const p = await withMapping(SALE_MAPPING);
    const saleId = uniq('S');
    failOnce.add(saleId);
    const first = await signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version: 1, total: 1 }));
    expect(first.status).toBe(200);
    const eventId = first.body.event_id as string;
    // First attempt failed; BullMQ holds the job back (exponential backoff) before the retry.
    await waitFor(async () => (await jobState(t, eventId)) === 'delayed', { what: 'the retry backoff' });
    const during = await signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version: 2, total: 2 }));
    expect(during.status).toBe(409);
    expect(await eventRow(t, eventId)).toMatchObject({ status: 'queued', reason: expect.stringMatching(/^attempt 1 failed, will retry: connection lost/) });

    const row = await waitForEvent(t, eventId, ['processed', 'failed']);
    expect(row).toMatchObject({ status: 'processed', attempts: 2 });
    expect(await salesOf(t, p.name, saleId)).toHaveLength(1);
    expect((await signedPost(t, p, 'sale.updated', saleEvent({ id: saleId, version: 2, total: 2 }))).status).toBe(200);
  });
});
