import { validateCommands } from '../../src/modules/commands/canonical-commands';
import { fitColumn, storableText, TEXT_COLUMNS, wellFormed } from '../../src/platform/storable';
import { createVenue } from '../helpers/fixtures';
import {
  itemsOf,
  partnerWithMapping,
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

describe('storage safety: what the POS sends is stored, or refused with its own reason', () => {
  let t: HubApp;
  let venueId: string;

  beforeAll(async () => {
    t = await startHubApp();
    t.startWorker();
    venueId = (await createVenue(t)).id;
  });
  afterAll(() => t.stop());

  const withMapping = (expression: string): Promise<TestPartner> => partnerWithMapping(t, venueId, expression);

  it('keeps a sale whose item name holds a lone surrogate, with U+FFFD in its place (items and event output)', async () => {
    const p = await withMapping(SALE_MAPPING);
    const saleId = uniq('S');
    // Escaped in the JSON text, as a POS that cut an emoji in half would send it.
    const body = JSON.stringify(saleEvent({ id: saleId, items: [{ name: 'Cake NAME', qty: 1, unit_price: 4250, total: 4250 }] }))
      .replace('NAME', '\\ud83c');
    const res = await signedPost(t, p, 'sale.updated', body);
    expect(res.status).toBe(200);
    const row = await waitForEvent(t, res.body.event_id);
    // Processed; no booking to match it to, so the event log says why (issue 12: the outcome is visible).
    expect({ status: row.status, reason: row.reason }).toEqual({ status: 'processed', reason: expect.stringMatching(/unmatched: no booking id or table number$/) });
    const [sale] = await salesOf(t, p.name, saleId);
    expect(sale).toBeDefined();
    expect((await itemsOf(t, sale!.id)).map((i) => i.name)).toEqual(['Cake \ufffd']);
    expect(JSON.stringify(row.output)).toContain('Cake \ufffd');
  });

  it('fails a mapping error quoting a 70,000-character value with its own reason, cut to the column', async () => {
    const p = await withMapping('$error("cannot read note: " & sale.note)');
    const event = saleEvent({ id: uniq('S') });
    (event.sale as Record<string, unknown>).note = 'é'.repeat(70_000);
    const res = await signedPost(t, p, 'sale.updated', event);
    expect(res.status).toBe(200);
    const row = await waitForEvent(t, res.body.event_id);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.reason).toMatch(/^Mapping failed: cannot read note: éé/);
    expect(row.reason).toMatch(/… \(truncated\)$/);
    expect(Buffer.byteLength(row.reason!, 'utf8')).toBeLessThanOrEqual(65_535);
  });

  it('fails a blank sale id (spaces) at once as a schema error, naming the field, with no sale written', async () => {
    const p = await withMapping(SALE_MAPPING);
    const res = await signedPost(t, p, 'sale.updated', saleEvent({ id: '  ' }));
    expect(res.status).toBe(200);
    const row = await waitForEvent(t, res.body.event_id);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.reason).toMatch(/\/sale_id must not be blank/);
    expect(await salesOf(t, p.name, '')).toHaveLength(0);
  });
});

describe('canonical command schema: ids and names that trim to nothing', () => {
  const sale = (overrides: Record<string, unknown>) => ({
    type: 'sale', location_id: 'loc-1', sale_id: 'S-1', status: 'closed', total: 100, currency: 'GBP', ...overrides,
  });

  it.each([
    ['sale_id', sale({ sale_id: '  ' })],
    ['location_id', sale({ location_id: '\t' })],
    ['booking_id', sale({ booking_id: ' ' })],
    ['table_number', sale({ table_number: '   ' })],
    ['items/0/name', sale({ items: [{ name: '  ', quantity: 1, total: 100 }] })],
    ['payments/0/method', sale({ payments: [{ method: ' ', amount: 100 }] })],
    ['location_id', { type: 'booking_status', location_id: '  ', status: 'seated' }],
    ['booking_id', { type: 'booking_status', location_id: 'loc-1', booking_id: '  ', status: 'seated' }],
  ])('refuses a blank %s', (field, command) => {
    expect(validateCommands(command).errors).toEqual([{ index: 0, path: `/${field}`, message: 'must not be blank' }]);
  });

  it('still takes ids with spaces around them, integer ids and null optional ids', () => {
    expect(validateCommands(sale({ sale_id: ' S-1 ', location_id: 42, booking_id: null, table_number: 'Bar 3' })).errors).toEqual([]);
  });
});

describe('storable text helpers', () => {
  it('wellFormed replaces lone surrogates in strings and keys, and returns the same value when nothing changes', () => {
    const clean = { a: ['x', { b: 'ok 🍰' }], n: 1 };
    expect(wellFormed(clean)).toBe(clean);
    const dirty = { ['k\ud800']: ['x', { b: 'half \udc00' }], n: 1 };
    expect(wellFormed(dirty)).toEqual({ ['k\ufffd']: ['x', { b: 'half \ufffd' }], n: 1 });
    expect(storableText('a\ud83cb')).toBe('a\ufffdb');
  });

  it('fitColumn cuts by bytes for TEXT and characters for VARCHAR, never splitting a character', () => {
    const text = fitColumn('inbound_events.reason', '€'.repeat(30_000));
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(TEXT_COLUMNS['inbound_events.reason'].bytes);
    expect(text).toMatch(/^€+… \(truncated\)$/);
    const chars = fitColumn('webhook_deliveries.last_error', '🍰'.repeat(600));
    expect(chars.length).toBeLessThanOrEqual(1000);
    expect(chars.isWellFormed()).toBe(true);
    expect(fitColumn('webhooks.disabled_reason', 'short')).toBe('short');
    expect(fitColumn('inbound_events.reason', null)).toBeNull();
  });
});
