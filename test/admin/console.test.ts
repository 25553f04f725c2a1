import { InboundEvent, MappingVersion, Partner, Sale } from '../../src/platform/db/entities';
import { createVenue, type CreatedVenue } from '../helpers/fixtures';
import {
  createTestPartner,
  insertBooking,
  linkLocation,
  localIso,
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
import { waitFor } from '../helpers/wait-for';

/**
 * The partner console's admin routes (CONTRACT §13, §15): activate an older mapping version, replay many
 * events (dry run, in-flight skipped, nothing matched, bad filters), the dry run with the matcher's preview
 * on a payload, a stored event or a fixture, masked headers, the partners' 24 h figures, fixtures.
 */
describe('admin API: the partner console (CONTRACT §13)', () => {
  let t: HubApp;
  let venue: CreatedVenue;
  beforeAll(async () => {
    t = await startHubApp({ MAPPING_TIMEOUT_MS: '300' }); // no worker until a test starts one
    venue = await createVenue(t);
  });
  afterAll(() => t.stop());

  const em = () => t.composed.deps.dataSource.manager;
  const send = async (p: TestPartner, body: Record<string, unknown>): Promise<string> => {
    const res = await signedPost(t, p, 'sale.updated', body);
    if (res.status !== 200) throw new Error(`event refused: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.event_id as string;
  };

  describe('activate a mapping version', () => {
    it('makes an older version live again (200, the live version), picked up by the worker at once; a PUT makes a new one live', async () => {
      const p = await createTestPartner(t);
      await linkLocation(t, p.name, 'loc-1', venue.id);
      expect(await putMapping(t, p.name, 'sale.updated', SALE_MAPPING)).toBe(1);
      const doubled = SALE_MAPPING.replace('"total": sale.total', '"total": sale.total * 2');
      expect(await putMapping(t, p.name, 'sale.updated', doubled)).toBe(2);
      const worker = t.startWorker();
      try {
        const first = await waitForEvent(t, await send(p, saleEvent({ id: uniq('S'), total: 1000 })));
        expect(first).toMatchObject({ status: 'processed', mappingVersion: 2 });

        const activated = await t.admin('post', `/admin/v1/partners/${p.name}/mappings/sale.updated/versions/1/activate`);
        expect(activated.status).toBe(200);
        expect(activated.body).toMatchObject({ event_type: 'sale.updated', version: 1, expression: SALE_MAPPING, live: true });
        const live = await t.admin('get', `/admin/v1/partners/${p.name}/mappings`);
        expect(live.body.data).toEqual([expect.objectContaining({ event_type: 'sale.updated', version: 1 })]);
        const history = await t.admin('get', `/admin/v1/partners/${p.name}/mappings/sale.updated/versions`);
        expect(history.body.data.map((v: { version: number; live: boolean }) => [v.version, v.live])).toEqual([[2, false], [1, true]]);

        // The worker and the ingest edge read the partner cache, which the activation dropped in every process.
        const saleId = uniq('S');
        const second = await waitForEvent(t, await send(p, saleEvent({ id: saleId, total: 1000 })));
        expect(second).toMatchObject({ status: 'processed', mappingVersion: 1 });
        expect(Number((await em().findOneByOrFail(Sale, { partner: p.name, saleId })).total)).toBe(1000);

        // Activating the live version again changes nothing; a new PUT is live (3), above the activated one.
        expect((await t.admin('post', `/admin/v1/partners/${p.name}/mappings/sale.updated/versions/1/activate`)).status).toBe(200);
        expect(await putMapping(t, p.name, 'sale.updated', doubled)).toBe(3);
        const after = await t.admin('get', `/admin/v1/partners/${p.name}/mappings/sale.updated/versions`);
        expect(after.body.data.map((v: { version: number; live: boolean }) => [v.version, v.live])).toEqual([[3, true], [2, false], [1, false]]);
      } finally {
        await worker.close();
      }
    });

    it('answers 404 for an unknown version, event type or partner and 400 for a version that is not a number', async () => {
      const p = await createTestPartner(t);
      await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
      const base = `/admin/v1/partners/${p.name}/mappings`;
      expect((await t.admin('post', `${base}/sale.updated/versions/9/activate`)).body.error.code).toBe('not_found');
      expect((await t.admin('post', `${base}/other.type/versions/1/activate`)).status).toBe(404);
      expect((await t.admin('post', '/admin/v1/partners/no-such-partner/mappings/sale.updated/versions/1/activate')).status).toBe(404);
      const bad = await t.admin('post', `${base}/sale.updated/versions/one/activate`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('validation_error');
      expect((await t.admin('get', `${base}/other.type/versions`)).body).toEqual({ data: [], next_cursor: null });
      expect((await t.admin('get', '/admin/v1/partners/no-such-partner/mappings/sale.updated/versions')).status).toBe(404);
    });
  });

  describe('replay many', () => {
    /** A partner whose live mapping fails every event (a schema error), with `n` failed events. */
    async function partnerWithFailures(n: number): Promise<{ p: TestPartner; ids: string[] }> {
      const p = await createTestPartner(t);
      await linkLocation(t, p.name, 'loc-1', venue.id);
      await putMapping(t, p.name, 'sale.updated', SALE_MAPPING.replace('"status": sale.status', '"status": "gone"'));
      const ids: string[] = [];
      for (let i = 0; i < n; i++) ids.push(await send(p, saleEvent({ id: uniq('S') })));
      const worker = t.startWorker();
      try {
        await Promise.all(ids.map((id) => waitForEvent(t, id)));
      } finally {
        await worker.close();
      }
      return { p, ids };
    }

    it('counts with ?dry_run=true (200, nothing replayed), then replays the failures under their own ids (202) once the mapping is fixed', async () => {
      const { p, ids } = await partnerWithFailures(4);
      const replay = `/admin/v1/partners/${p.name}/events/replay`;
      const dry = await t.admin('post', `${replay}?dry_run=true`).send({ status: 'failed' });
      expect(dry.status).toBe(200);
      expect(dry.body).toEqual({ would_replay: 4, would_skip: 0 });
      expect(await em().countBy(InboundEvent, { partner: p.name, status: 'failed' })).toBe(4);

      await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
      const res = await t.admin('post', replay).send({ status: 'failed', event_type: 'sale.updated' });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ replayed: 4, skipped: 0 });
      const worker = t.startWorker();
      try {
        const rows = await Promise.all(ids.map((id) => waitForEvent(t, id, ['processed'])));
        expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
        expect(rows.every((r) => r.attempts === 2 && r.mappingVersion === 2)).toBe(true);
      } finally {
        await worker.close();
      }
      // Same ids, no new events.
      expect(await em().countBy(InboundEvent, { partner: p.name })).toBe(4);
      // Nothing failed any more: a second replay of the failures matches nothing.
      expect((await t.admin('post', replay).send({ status: 'failed' })).body).toEqual({ replayed: 0, skipped: 0 });
    });

    it('skips events in flight (queued, processing, still waiting in the queue) and counts them', async () => {
      const { p, ids } = await partnerWithFailures(3);
      await em().update(InboundEvent, { id: ids[0] }, { status: 'processing' });
      const waiting = await send(p, saleEvent({ id: uniq('S') })); // no worker: a job without a row yet
      const replay = `/admin/v1/partners/${p.name}/events/replay`;
      expect((await t.admin('post', `${replay}?dry_run=true`).send({})).body).toEqual({ would_replay: 2, would_skip: 2 });
      const res = await t.admin('post', replay).send({});
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ replayed: 2, skipped: 2 });
      expect((await em().findOneByOrFail(InboundEvent, { id: ids[0] })).status).toBe('processing');
      // The request without a body is the same as {}: the two replayed ones are queued now, in flight too.
      const again = await t.admin('post', replay);
      expect(again.status).toBe(202);
      expect(again.body).toEqual({ replayed: 0, skipped: 4 });
      const worker = t.startWorker();
      try {
        await waitForEvent(t, waiting);
        await Promise.all(ids.slice(1).map((id) => waitForEvent(t, id, ['failed'])));
      } finally {
        await worker.close();
      }
    });

    it('answers a filter that matches nothing with 202 {replayed: 0, skipped: 0}, and bad filters with 400 validation_error', async () => {
      const { p } = await partnerWithFailures(1);
      const replay = `/admin/v1/partners/${p.name}/events/replay`;
      expect((await t.admin('post', replay).send({ event_type: 'no.such.type' })).body).toEqual({ replayed: 0, skipped: 0 });
      const future = await t.admin('post', replay).send({ since: new Date(Date.now() + 3600_000).toISOString() });
      expect(future.status).toBe(202);
      expect(future.body).toEqual({ replayed: 0, skipped: 0 });
      for (const body of [
        { status: 'lost' },
        { since: 'yesterday' },
        { since: '2026-05-02T00:00:00.000Z', until: '2026-05-01T00:00:00.000Z' },
        { colour: 'red' },
        { event_type: 7 },
      ]) {
        const res = await t.admin('post', replay).send(body);
        expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 400, code: 'validation_error' });
      }
      expect((await t.admin('post', `${replay}?dry_run=perhaps`).send({})).status).toBe(400);
      expect((await t.admin('post', '/admin/v1/partners/no-such-partner/events/replay').send({})).status).toBe(404);
      expect(await em().countBy(InboundEvent, { partner: p.name, status: 'failed' })).toBe(1);
    });
  });

  describe('the dry run with the matcher', () => {
    let p: TestPartner;
    const test = () => `/admin/v1/partners/${p.name}/mappings/sale.updated/test`;
    beforeAll(async () => {
      p = await createTestPartner(t);
      await linkLocation(t, p.name, 'loc-1', venue.id);
      await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
    });

    it('shows the booking a sale would match, read-only, and why another stays unmatched', async () => {
      const day = new Date(Date.now() + 2 * 864e5).toISOString().slice(0, 10);
      const booking = await insertBooking(t, venue, { date: day, time: '19:00', table: 3 });
      const opened = localIso(venue, day, '19:20');
      const res = await t.admin('post', test()).send({ payload: saleEvent({ id: 'DRY-1', table: 3, opened_at: opened }) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ errors: [], mapping_version: 1, input: 'payload' });
      expect(res.body.matches).toEqual([
        expect.objectContaining({
          index: 0, type: 'sale', location_id: 'loc-1', venue_id: venue.id, result: 'applied', sale: null, match: 'table_time',
          booking: expect.objectContaining({ id: booking.id, reference: booking.reference, time: '19:00', table: expect.objectContaining({ number: 3 }) }),
          unmatched_reason: null,
        }),
      ]);
      const unmatched = await t.admin('post', test()).send({ payload: saleEvent({ id: 'DRY-2', table: 4, opened_at: opened }) });
      expect(unmatched.body.matches[0]).toMatchObject({ booking: null, match: null, unmatched_reason: expect.stringMatching(/^no booking at table 4 between/) });
      const unknown = await t.admin('post', test()).send({ payload: saleEvent({ id: 'DRY-3', location_id: 'loc-nowhere' }) });
      expect(unknown.body.matches[0]).toMatchObject({ result: 'ignored', reason: 'unknown location loc-nowhere', venue_id: null });
      const otherCurrency = await t.admin('post', test()).send({ payload: saleEvent({ id: 'DRY-4', currency: 'EUR' }) });
      expect(otherCurrency.body.matches[0]).toMatchObject({ result: 'failed', reason: expect.stringContaining('currency EUR') });
      // Schema errors: the event would fail, no preview.
      const invalid = await t.admin('post', test()).send({ payload: saleEvent({ id: 'DRY-5', status: 'gone' }) });
      expect(invalid.body).toMatchObject({ errors: [expect.objectContaining({ path: '/status' })], matches: [] });
      expect(await em().countBy(Sale, { partner: p.name })).toBe(0);
    });

    it('runs on a stored event of the partner (by id) and on a fixture of its template', async () => {
      const id = await send(p, saleEvent({ id: uniq('S'), total: 777 }));
      const worker = t.startWorker();
      try {
        await waitForEvent(t, id);
      } finally {
        await worker.close();
      }
      const res = await t.admin('post', test()).send({ event_id: id });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ input: 'event', errors: [], output: [expect.objectContaining({ total: 777 })] });
      // The stored sale is the one it would update.
      expect(res.body.matches[0].sale).toMatch(/^sl_/);
      const other = await createTestPartner(t);
      await putMapping(t, other.name, 'sale.updated', SALE_MAPPING);
      expect((await t.admin('post', `/admin/v1/partners/${other.name}/mappings/sale.updated/test`).send({ event_id: id })).status).toBe(404);

      const toast = await t.admin('post', '/admin/v1/partners').send({ name: uniq('toast'), template: 'toast' });
      expect(toast.status).toBe(201);
      expect(toast.body.template).toBe('toast');
      const fixtures = await t.admin('get', `/admin/v1/partners/${toast.body.name}/fixtures`);
      expect(fixtures.status).toBe(200);
      const closed = fixtures.body.data.find((f: { name: string }) => f.name === 'order_updated--closed-with-items');
      expect(closed).toMatchObject({ event_type: 'order_updated', case: 'closed-with-items', payload: expect.stringContaining('"guid"') });
      const onFixture = await t.admin('post', `/admin/v1/partners/${toast.body.name}/mappings/order_updated/test`).send({ fixture: closed.name });
      expect(onFixture.status).toBe(200);
      expect(onFixture.body).toMatchObject({ input: 'fixture', errors: [] });
      expect(onFixture.body.output).toEqual(Array.isArray(closed.expected) ? closed.expected : [closed.expected]);
      expect(onFixture.body.matches[0]).toMatchObject({ result: 'ignored', reason: expect.stringMatching(/^unknown location /) });
      const missing = await t.admin('post', `/admin/v1/partners/${toast.body.name}/mappings/order_updated/test`).send({ fixture: 'nope' });
      expect(missing.status).toBe(404);
      expect((await t.admin('get', `/admin/v1/partners/${p.name}/fixtures`)).body).toEqual({ data: [], next_cursor: null });
    });

    it('answers bad input with its documented 4xx and changes nothing', async () => {
      const partner = await em().findOneByOrFail(Partner, { name: p.name });
      const versions = await em().countBy(MappingVersion, { partnerId: partner.id });
      const notJson = await t.admin('post', test()).send({ payload: '{"sale": {"id": 1,' });
      expect([notJson.status, notJson.body.error.code]).toEqual([400, 'invalid_payload']);
      const notCompiling = await t.admin('post', test()).send({ payload: {}, expression: '{"total": sale.total +}' });
      expect([notCompiling.status, notCompiling.body.error.code]).toEqual([400, 'invalid_mapping']);
      expect(notCompiling.body.error.details).toMatchObject({ position: expect.any(Number) });
      const both = await t.admin('post', test()).send({ payload: {}, event_id: 'evt_x' });
      expect([both.status, both.body.error.code]).toEqual([400, 'validation_error']);
      const none = await t.admin('post', test()).send({ expression: '1' });
      expect([none.status, none.body.error.code]).toEqual([400, 'validation_error']);
      const template = await t.admin('post', '/admin/v1/partners').send({ name: uniq('x'), template: 'no-such-pos' });
      expect([template.status, template.body.error.code]).toEqual([400, 'validation_error']);
      expect(await em().countBy(MappingVersion, { partnerId: partner.id })).toBe(versions);
      // The editor's mode: the same errors in a 200 body, so typing never logs a failed request.
      const inline = await t.admin('post', `${test()}?inline_errors=true`).send({ payload: {}, expression: '{"total": sale.total +}' });
      expect(inline.status).toBe(200);
      expect(inline.body).toMatchObject({ output: [], errors: [], matches: [], error: { code: 'invalid_mapping', details: { position: 23, token: '}' } } });
      const inlinePayload = await t.admin('post', `${test()}?inline_errors=true`).send({ payload: '{oops' });
      expect(inlinePayload.body.error.code).toBe('invalid_payload');
      // Not the caller's mistakes of the request itself.
      expect((await t.admin('post', `${test()}?inline_errors=true`).send({ expression: '1' })).status).toBe(400);
    });

    it('fails a looping or recursing mapping with the guard\'s error (422 mapping_failed naming the limit), and the next dry run works', async () => {
      const recursing = await t.admin('post', test()).send({ payload: {}, expression: '($f := function($x) { $f($x) + 1 }; $f(1))' });
      expect(recursing.status).toBe(422);
      expect(recursing.body.error).toMatchObject({ code: 'mapping_failed', details: { limit: 'depth' } });
      const looping = await t.admin('post', test()).send({ payload: {}, expression: '($loop := function($n) { $n > 0 ? $loop($n - 1) : 0 }; $loop(1e12))' });
      expect(looping.status).toBe(422);
      expect(looping.body.error).toMatchObject({ code: 'mapping_failed', details: expect.objectContaining({ limit: expect.stringMatching(/time|memory/) }) });
      expect((await t.admin('post', test()).send({ payload: saleEvent({ id: 'DRY-9' }) })).status).toBe(200);
    });
  });

  it('stores the headers of an event with signatures masked, and counts every partner\'s last 24 h', async () => {
    const p = await createTestPartner(t, { header: 'X-Pos-Signature' });
    await linkLocation(t, p.name, 'loc-1', venue.id);
    await putMapping(t, p.name, 'sale.updated', SALE_MAPPING);
    const ok = await send(p, saleEvent({ id: uniq('S') }));
    const ignored = await send(p, saleEvent({ id: uniq('S'), location_id: 'elsewhere' }));
    const queuedOnly = await t.admin('get', `/admin/v1/partner-stats`);
    expect(queuedOnly.body.data.find((s: { partner: string }) => s.partner === p.name)).toEqual({
      partner: p.name, received: 2, queued: 2, processing: 0, processed: 0, ignored: 0, failed: 0,
    });
    const worker = t.startWorker();
    try {
      await waitForEvent(t, ok);
      await waitForEvent(t, ignored);
    } finally {
      await worker.close();
    }
    const detail = await t.admin('get', `/admin/v1/events/${ok}`);
    expect(detail.body.headers).toMatchObject({ 'content-type': 'application/json', 'x-pos-signature': expect.stringMatching(/^\[masked, \d+ characters\]$/) });
    expect(JSON.stringify(detail.body.headers)).not.toContain(p.secret);
    const stats = await waitFor(async () => {
      const res = await t.admin('get', '/admin/v1/partner-stats');
      const mine = res.body.data.find((s: { partner: string }) => s.partner === p.name);
      return mine?.processed === 1 ? res.body : null;
    });
    expect(stats.data.find((s: { partner: string }) => s.partner === p.name)).toEqual({
      partner: p.name, received: 2, queued: 0, processing: 0, processed: 1, ignored: 1, failed: 0,
    });
    expect(Date.parse(stats.until) - Date.parse(stats.since)).toBe(24 * 3600_000);
    const old = await t.admin('get', `/admin/v1/partner-stats?until=${new Date(Date.now() - 3600_000).toISOString()}`);
    expect(old.body.data.find((s: { partner: string }) => s.partner === p.name)).toMatchObject({ received: 0 });
    expect((await t.admin('get', '/admin/v1/partner-stats?since=later')).status).toBe(400);

    // The event log's filters.
    const log = (q: string) => t.admin('get', `/admin/v1/partners/${p.name}/events?${q}`).then((r) => r.body.data.map((e: { id: string }) => e.id));
    expect(await log('status=ignored')).toEqual([ignored]);
    expect(await log(`sale_id=${encodeURIComponent(detail.body.sale_id)}`)).toEqual([ok]);
    expect(await log('event_type=other')).toEqual([]);
    expect(await log(`since=${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);
    expect(await log(`until=${new Date().toISOString()}`)).toEqual([ignored, ok]);
  });
});
