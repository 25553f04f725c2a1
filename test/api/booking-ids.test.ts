import { DateTime } from 'luxon';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';

const TZ = 'Europe/London';
const day = (days: number): string => DateTime.now().setZone(TZ).plus({ days }).toISODate()!;

describe('booking API: moving to another venue\'s table, and times in the past', () => {
  let t: TestApp;
  let mine: CreatedVenue;
  let theirs: CreatedVenue;
  let key: string;
  const api = (method: 'post' | 'patch', path: string) => t.http[method](`/api/v1${path}`).set('Authorization', `Bearer ${key}`);
  const book = (body: Record<string, unknown>) =>
    api('post', '/bookings').send({ customer_name: 'Ada Lovelace', party_size: 2, date: day(10), time: '19:00', ...body });

  beforeAll(async () => {
    t = await startTestApp();
    const events = [{ name: 'Wine night', date: day(12), start: '19:00', end: '22:00', capacity: 6 }];
    mine = await createVenue(t, { events });
    theirs = await createVenue(t, { events });
    key = await createApiKey(t, mine.id);
  });
  afterAll(() => t.stop());

  it('PATCH /bookings/:id moving to another venue\'s table is 404 not_found, the booking unchanged', async () => {
    const created = await book({ date: day(11) });
    expect(created.status).toBe(201);
    const res = await api('patch', `/bookings/${created.body.id}`).send({ table_id: theirs.json.areas[0].tables[3].id });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'not_found', details: { field: 'table_id' } });
    const [row] = (await t.composed.deps.dataSource.query('SELECT table_id FROM bookings WHERE id = ?', [created.body.id])) as { table_id: string }[];
    expect(row!.table_id).toBe(created.body.table.id);
  });

  it('a time in the past is 422 slot_unavailable, reason in_past, with a message that says so', async () => {
    const res = await book({ date: day(-1), time: '19:00' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('slot_unavailable');
    expect(res.body.error.details.reason).toBe('in_past');
    expect(res.body.error.message).toMatch(/in the past/);
    expect(res.body.error.message).not.toMatch(/No table/);
  });
});
