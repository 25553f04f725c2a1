import { InboundEvent } from '../../src/db/entities';
import { InboundApplier, type ProcessingRequest } from '../../src/pipeline/apply-batcher';
import { recordEvent } from '../../src/pipeline/event-log';
import type { InboundJobData } from '../../src/pipeline/inbound-job';
import { newId } from '../../src/shared/ids';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The worker's `processing` rows are written by InboundApplier.recordProcessing for the events starting
 * together: first attempts in one multi-row INSERT, the others (and a wrong guess) one by one.
 */
describe('inbound applier: processing rows of events starting together', () => {
  let t: TestApp;
  let applier: InboundApplier;

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    applier = new InboundApplier(t.composed.deps.dataSource, t.composed.deps.logger);
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
});
