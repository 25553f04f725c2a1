import { Booking, Partner } from '../../src/platform/db/entities';
import { MATCH_TABLES_PER_STATEMENT, matchStatements } from '../../src/modules/sales/match-query';
import type { CanonicalCommand, SaleCommand } from '../../src/modules/commands/canonical-commands';
import { InboundApplier, INBOUND_APPLY_SESSIONS } from '../../src/modules/partners/pipeline/inbound-applier';
import { SessionPool } from '../../src/platform/db/session-pool';
import { newId } from '../../src/platform/ids';
import type { Logger } from '../../src/platform/logger';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { createTestPartner, insertBooking, localIso, salesOf, tableId } from '../helpers/partner';
import { startTestApp, uniq, type TestApp } from '../helpers/test-app';

/**
 * The one match query (CONTRACT §5) resolves a POS table through its location's aliases on every path that
 * uses it: the batched sales, the one-by-one path (an event with a POS status), the POS status command and
 * re-matching when a booking appears — for more tables than one statement resolves, too. Every alias here
 * names another table than the one its own text would, and that other table has a booking at the same time:
 * an alias left unresolved matches the wrong booking, not just none.
 */
describe('table aliases in the match query', () => {
  let t: TestApp;
  let venue: CreatedVenue;
  let partner: { id: string; name: string };
  let fallbacks: jest.Mock;
  let applier: InboundApplier;
  const TABLES = MATCH_TABLES_PER_STATEMENT + 6;
  const LOCATION = 'alias-loc';
  /** Each test on a day of its own. */
  const DATE = '2027-03-10';
  const STATUS_DATE = '2027-03-11';
  const REMATCH_DATE = '2027-03-12';
  /** POS table `n` is the venue's table n + 1 (the last POS table names table 1). */
  const aliasTarget = (n: number): number => (n % TABLES) + 1;

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    venue = await createVenue(t, {
      areas: [{ name: 'Main', tables: Array.from({ length: TABLES }, (_, i) => ({ number: i + 1, min_covers: 1, max_covers: 4 })) }],
    });
    const p = await createTestPartner(t);
    const tables = Object.fromEntries(Array.from({ length: TABLES }, (_, i) => [String(i + 1), String(aliasTarget(i + 1))]));
    await t.admin('put', `/admin/v1/partners/${p.name}/locations/${LOCATION}`).send({ venue_id: venue.id, tables }).expect(200);
    const row = await t.composed.deps.dataSource.manager.findOneByOrFail(Partner, { name: p.name });
    partner = { id: row.id, name: row.name };
    fallbacks = jest.fn();
    applier = new InboundApplier(t.composed.deps.dataSource, { debug: fallbacks, warn: fallbacks } as unknown as Logger, new SessionPool(t.composed.deps.dataSource, INBOUND_APPLY_SESSIONS));
  });
  afterAll(async () => {
    await applier.close();
    await t.stop();
  });

  const sale = (table: string, time: string, date = DATE): SaleCommand => ({
    type: 'sale', location_id: LOCATION, sale_id: uniq('S'), status: 'closed', total: 1500, currency: 'GBP',
    table_number: table, opened_at: localIso(venue, date, time),
  });

  /** Each command list as an event, all applied together (one batch where they can be). */
  async function apply(events: CanonicalCommand[][]) {
    const data = events.map(() => ({ eventId: newId('evt'), partner: partner.name, eventType: 'sale.updated', receivedAt: new Date().toISOString(), saleIds: [] }));
    await Promise.all(data.map((d) => applier.recordProcessing({ data: d, raw: '{}', patch: { status: 'processing', reason: null }, fresh: true })));
    return Promise.all(data.map((d, i) => applier.apply({ data: d, raw: '{}', partner, commands: events[i]!, release: async () => undefined })));
  }
  const bookingOf = async (cmd: SaleCommand) => (await salesOf(t, partner.name, String(cmd.sale_id)))[0]!;

  it(`answers ${TABLES} tables of one location in ${Math.ceil(TABLES / MATCH_TABLES_PER_STATEMENT)} statements, each alias resolved`, async () => {
    const at = new Date(localIso(venue, DATE, '09:00'));
    const lookups = Array.from({ length: TABLES }, (_, i) => ({ scope: { partnerId: partner.id, locationId: LOCATION }, bookingRef: null, table: String(i + 1), matchAt: at }));
    const query = matchStatements([...lookups, ...lookups]); // each table asked twice: still one resolution each
    expect(query.statements).toHaveLength(Math.ceil(TABLES / MATCH_TABLES_PER_STATEMENT));
    const ds = t.composed.deps.dataSource;
    const found = query.read(await Promise.all(query.statements.map((s) => ds.query(s.sql, s.params))));
    expect(found.map((f) => f.venueTable)).toEqual([...lookups, ...lookups].map((l) => String(aliasTarget(Number(l.table)))));
  });

  it(`matches a batch of sales on ${TABLES} aliased tables to the aliases' tables`, async () => {
    const bookings = new Map<number, Booking>();
    for (let n = 1; n <= TABLES; n++) bookings.set(n, await insertBooking(t, venue, { date: DATE, time: '12:00', table: n }));
    const sales = Array.from({ length: TABLES }, (_, i) => sale(` ${i + 1} `, '12:20'));
    fallbacks.mockClear();
    const outcomes = await apply(sales.map((s) => [s]));
    expect(fallbacks).not.toHaveBeenCalled(); // one batch, not event by event
    expect(outcomes.every((o) => o.status === 'processed')).toBe(true);
    for (const [i, s] of sales.entries()) {
      const target = aliasTarget(i + 1);
      expect(await bookingOf(s)).toMatchObject({ bookingId: bookings.get(target)!.id, matchMethod: 'table_time', venueTableNumber: String(target) });
    }
  });

  it('resolves aliases on the one-by-one path: a POS status and a sale of one event', async () => {
    const onAlias = await insertBooking(t, venue, { date: STATUS_DATE, time: '15:00', table: aliasTarget(3) });
    const onLiteral = await insertBooking(t, venue, { date: STATUS_DATE, time: '15:00', table: 3 });
    const s = sale('3', '15:10', STATUS_DATE);
    fallbacks.mockClear();
    const [outcome] = await apply([[{ type: 'booking_status', location_id: LOCATION, table_number: '3', status: 'seated', at: localIso(venue, STATUS_DATE, '15:05') }, s]]);
    expect(outcome!.status).toBe('processed');
    const em = t.composed.deps.dataSource.manager;
    expect((await em.findOneByOrFail(Booking, { id: onAlias.id })).status).toBe('seated');
    expect((await em.findOneByOrFail(Booking, { id: onLiteral.id })).status).toBe('confirmed');
    expect(await bookingOf(s)).toMatchObject({ bookingId: onAlias.id, matchMethod: 'table_time' });
  });

  it('re-matches a waiting sale on an aliased table when a booking appears on the alias\'s table', async () => {
    const s = sale('7', '19:20', REMATCH_DATE);
    const [outcome] = await apply([[s]]);
    expect(outcome!.reason).toMatch(new RegExp(`unmatched: no booking at table ${aliasTarget(7)} \\(7\\) between`));
    expect(await bookingOf(s)).toMatchObject({ bookingId: null, venueTableNumber: String(aliasTarget(7)) });
    const key = await createApiKey(t, venue.id);
    const api = (body: Record<string, unknown>) =>
      t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${key}`).send({ date: REMATCH_DATE, time: '19:00', party_size: 2, customer_name: 'Ada', ...body });
    const literal = await api({ table_id: tableId(venue, 7) });
    expect(literal.status).toBe(201);
    expect(await bookingOf(s)).toMatchObject({ bookingId: null });
    const aliased = await api({ table_id: tableId(venue, aliasTarget(7)) });
    expect(aliased.status).toBe(201);
    expect(await bookingOf(s)).toMatchObject({ bookingId: aliased.body.id, matchMethod: 'table_time' });
  });
});
