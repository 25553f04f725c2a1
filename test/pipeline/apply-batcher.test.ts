import { InboundEvent, Partner, Sale } from '../../src/platform/db/entities';
import type { SaleCommand } from '../../src/modules/commands/canonical-commands';
import { InboundApplier, type ProcessingRequest, INBOUND_APPLY_SESSIONS } from '../../src/modules/partners/pipeline/inbound-applier';
import { SessionPool } from '../../src/platform/db/session-pool';
import { recordEvent } from '../../src/modules/partners/pipeline/inbound-event-store';
import type { InboundJobData } from '../../src/modules/partners/pipeline/inbound-job';
import { newId } from '../../src/platform/ids';
import type { Logger } from '../../src/platform/logger';
import { createVenue } from '../helpers/fixtures';
import { createTestPartner, linkLocation } from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

/**
 * The worker's `processing` rows are written by InboundApplier.recordProcessing for the events starting
 * together: first attempts in one multi-row INSERT, the others (and a wrong guess) one by one.
 */
describe('inbound applier: processing rows of events starting together', () => {
  let t: TestApp;
  let applier: InboundApplier;

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    applier = new InboundApplier(t.composed.deps.dataSource, t.composed.deps.logger, new SessionPool(t.composed.deps.dataSource, INBOUND_APPLY_SESSIONS));
  });
  afterAll(async () => {
    await applier.close();
    await t.stop();
  });

  const event = (): InboundJobData => ({
    eventId: newId('evt'),
    partner: 'batch-pos',
    eventType: 'sale.updated',
    receivedAt: new Date().toISOString(),
    saleIds: [],
  });
  const processing = (data: InboundJobData, fresh: boolean): ProcessingRequest => ({
    data,
    raw: `{"sale":"${data.eventId}"}`,
    patch: { status: 'processing', reason: null, errors: null, saleId: 'S-1', mappingVersion: 3, output: [{ type: 'sale' }] },
    fresh,
  });
  /** A row the event already has (it waited in line, or a run of it died after writing it). */
  const existing = async (data: InboundJobData, attempts: boolean) => {
    await recordEvent(t.composed.deps.dataSource.manager, data, 'stored payload', { status: 'queued', reason: 'waiting' }, attempts);
  };
  const rows = async (events: InboundJobData[]) => {
    const found = await t.composed.deps.dataSource.manager.findBy(InboundEvent, events.map((e) => ({ id: e.eventId })));
    return events.map((e) => found.find((r) => r.id === e.eventId));
  };

  it('inserts first attempts together and patches the rows of events that have one', async () => {
    const [a, b, waited] = [event(), event(), event()];
    await existing(waited, false);
    await Promise.all([a, b, waited].map((e) => applier.recordProcessing(processing(e, e !== waited))));
    const [ra, rb, rw] = await rows([a, b, waited]);
    for (const r of [ra, rb]) {
      expect(r).toMatchObject({ status: 'processing', reason: null, saleId: 'S-1', attempts: 1, mappingVersion: 3, output: [{ type: 'sale' }] });
    }
    expect(ra!.rawPayload).toBe(`{"sale":"${a.eventId}"}`);
    // The existing row gets the patch and one more attempt; its payload is never rewritten.
    expect(rw).toMatchObject({ status: 'processing', reason: null, attempts: 1, rawPayload: 'stored payload' });
  });

  it('falls back to one by one when a first attempt already has its row (a resumed event)', async () => {
    const [a, resumed, c] = [event(), event(), event()];
    await existing(resumed, true);
    await Promise.all([a, resumed, c].map((e) => applier.recordProcessing(processing(e, true))));
    const [ra, rr, rc] = await rows([a, resumed, c]);
    expect(ra).toMatchObject({ status: 'processing', attempts: 1 });
    expect(rc).toMatchObject({ status: 'processing', attempts: 1 });
    expect(rr).toMatchObject({ status: 'processing', attempts: 2, rawPayload: 'stored payload' });
  });

  it('applies events ready together as one batch, each marked with its own outcome', async () => {
    const venue = await createVenue(t);
    const pos = await createTestPartner(t);
    await linkLocation(t, pos.name, 'loc-1', venue.id);
    await linkLocation(t, pos.name, 'loc-off', venue.id, false);
    const partner = (await t.composed.deps.dataSource.manager.findOneByOrFail(Partner, { name: pos.name }))!;
    const sale = (location: string): SaleCommand => ({
      type: 'sale', location_id: location, sale_id: uniq('S'), status: 'closed', total: 1200, currency: 'GBP',
    });
    const commands = [sale('loc-1'), sale('loc-1'), sale('loc-unknown'), sale('loc-off')];
    const events = commands.map(() => ({ ...event(), partner: pos.name }));
    await Promise.all(events.map((e) => applier.recordProcessing(processing(e, true))));
    const released: string[] = [];
    // Its own applier, whose log would say if the batch had to go event by event.
    const fallbacks = jest.fn();
    const batched = new InboundApplier(t.composed.deps.dataSource, { debug: fallbacks, warn: fallbacks } as unknown as Logger, new SessionPool(t.composed.deps.dataSource, INBOUND_APPLY_SESSIONS));
    const outcomes = await Promise.all(
      events.map((data, i) =>
        batched.apply({
          data,
          raw: '{}',
          partner: { id: partner.id, name: partner.name },
          commands: [commands[i]!],
          release: async () => void released.push(data.eventId),
        }),
      ),
    );
    await batched.close();
    expect(fallbacks).not.toHaveBeenCalled();
    const unmatched = expect.stringMatching(/^sale sl_\w+ unmatched: no booking id or table number$/);
    expect(outcomes.map((o) => [o.status, o.reason])).toEqual([
      ['processed', unmatched],
      ['processed', unmatched],
      ['ignored', 'unknown location loc-unknown'],
      ['ignored', 'integration disabled for location loc-off'],
    ]);
    const [r1, r2, r3, r4] = await rows(events);
    expect(r1).toMatchObject({ status: 'processed', reason: outcomes[0]!.reason, attempts: 1 });
    expect(r2).toMatchObject({ status: 'processed', reason: outcomes[1]!.reason, attempts: 1 });
    expect(r3).toMatchObject({ status: 'ignored', reason: 'unknown location loc-unknown', attempts: 1 });
    expect(r4).toMatchObject({ status: 'ignored', reason: 'integration disabled for location loc-off', attempts: 1 });
    for (const r of [r1, r2, r3, r4]) expect(r!.processedAt).toBeInstanceOf(Date);
    // Each row keeps what its own commands did.
    expect([r1, r2, r3, r4].map((r) => r!.outcome)).toEqual(outcomes.map((o) => o.results));
    expect(released.sort()).toEqual(events.map((e) => e.eventId).sort());
    const stored = await t.composed.deps.dataSource.manager.findBy(Sale, commands.map((c) => ({ partner: pos.name, saleId: String(c.sale_id) })));
    expect(stored.map((s) => s.saleId).sort()).toEqual([String(commands[0]!.sale_id), String(commands[1]!.sale_id)].sort());
  });

  it('marks a batch whose events share a status, or all of it, each with its own row', async () => {
    const venue = await createVenue(t);
    const pos = await createTestPartner(t);
    await linkLocation(t, pos.name, 'loc-1', venue.id);
    const partner = (await t.composed.deps.dataSource.manager.findOneByOrFail(Partner, { name: pos.name }))!;
    const fallbacks = jest.fn();
    const batched = new InboundApplier(t.composed.deps.dataSource, { debug: fallbacks, warn: fallbacks } as unknown as Logger, new SessionPool(t.composed.deps.dataSource, INBOUND_APPLY_SESSIONS));
    const run = async (locations: string[], tables: (string | null)[]) => {
      const commands = locations.map((location, i): SaleCommand => ({
        type: 'sale', location_id: location, sale_id: uniq('S'), status: 'closed', total: 1200, currency: 'GBP',
        table_number: tables[i], opened_at: '2026-05-01T18:05:00.000Z',
      }));
      const events = commands.map(() => ({ ...event(), partner: pos.name }));
      await Promise.all(events.map((e) => applier.recordProcessing(processing(e, true))));
      const outcomes = await Promise.all(events.map((data, i) => batched.apply({
        data, raw: '{}', partner: { id: partner.id, name: partner.name }, commands: [commands[i]!], release: async () => undefined,
      })));
      return { outcomes, stored: await rows(events) };
    };
    try {
      // Every value the same: nothing in the statement picks by id.
      const alike = await run(['loc-gone', 'loc-gone', 'loc-gone'], [null, null, null]);
      expect(alike.outcomes.map((o) => [o.status, o.reason])).toEqual(Array(3).fill(['ignored', 'unknown location loc-gone']));
      expect(alike.stored.map((r) => [r!.status, r!.reason, r!.outcome])).toEqual(alike.outcomes.map((o) => ['ignored', o.reason, o.results]));
      // One status, reasons and outcomes of their own (each names its sale; tables 7 and 8 are no tables of the venue).
      const own = await run(['loc-1', 'loc-1', 'loc-1'], ['7', null, '8']);
      expect(own.outcomes.map((o) => o.status)).toEqual(['processed', 'processed', 'processed']);
      expect(new Set(own.outcomes.map((o) => o.reason)).size).toBe(3);
      expect(own.outcomes[0]!.reason).toMatch(/^sale sl_\w+ unmatched: table 7 is neither a table of the venue nor an alias of the location$/);
      expect(own.stored.map((r) => [r!.status, r!.reason, r!.outcome])).toEqual(own.outcomes.map((o) => ['processed', o.reason, o.results]));
      expect(fallbacks).not.toHaveBeenCalled();
    } finally {
      await batched.close();
    }
  });
});
