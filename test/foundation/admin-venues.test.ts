import { ADMIN_TOKEN, startTestApp, type TestApp } from '../helpers/test-app';
import { venueBody } from '../helpers/fixtures';

describe('admin API: venues', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const count = async (table: string, slug: string): Promise<number> => {
    const rows = (await t.composed.deps.dataSource.query(
      `SELECT COUNT(*) AS n FROM ${table} x JOIN venues v ON v.id = x.venue_id WHERE v.slug = ?`, [slug])) as { n: number }[];
    return Number(rows[0]!.n);
  };

  it('creates a venue with areas, tables, services and events in one call', async () => {
    const body = venueBody({ events: [{ name: 'Wine night', date: '2026-12-01', start: '19:00', end: '22:00', capacity: 40 }] });
    const res = await t.admin('post', '/admin/v1/venues').send(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^ven_/), name: body.name, slug: body.slug, timezone: 'Europe/London',
      currency: 'GBP', country: 'GB', plan: 'business',
    });
    expect(res.body.areas).toHaveLength(1);
    expect(res.body.areas[0].id).toMatch(/^area_/);
    expect(res.body.areas[0].tables.map((x: { number: number }) => x.number)).toEqual([1, 2, 3, 4]);
    expect(res.body.areas[0].tables[0]).toEqual({ id: expect.stringMatching(/^tbl_/), number: 1, min_covers: 1, max_covers: 2 });
    expect(res.body.services[0]).toMatchObject({ id: expect.stringMatching(/^svc_/), start: '17:00', end: '23:00', slot_interval_minutes: 15 });
    expect(res.body.events[0]).toMatchObject({ name: 'Wine night', date: '2026-12-01', capacity: 40 });
    const fetched = await t.admin('get', `/admin/v1/venues/${res.body.id}`);
    expect(fetched.body).toEqual(res.body);
  });

  it('rejects a missing or wrong admin token with 401', async () => {
    const none = await t.http.post('/admin/v1/venues').send(venueBody());
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    const wrong = await t.http.post('/admin/v1/venues').set('Authorization', `Bearer ${ADMIN_TOKEN}x`).send(venueBody());
    expect(wrong.status).toBe(401);
  });

  it.each([
    ['missing name', (b: Record<string, unknown>) => { delete b.name; }, 'name'],
    ['bad slug', (b: Record<string, unknown>) => { b.slug = 'Not A Slug'; }, 'slug'],
    ['unknown timezone', (b: Record<string, unknown>) => { b.timezone = 'Mars/Olympus'; }, 'timezone'],
    ['extra field', (b: Record<string, unknown>) => { b.colour = 'red'; }, 'colour'],
    ['bad service time', (b: any) => { b.services[0].start = '25:00'; }, 'services[0].start'],
    ['min over max covers', (b: any) => { b.areas[0].tables[1].min_covers = 5; }, 'areas[0].tables[1].min_covers'],
    ['duplicate table number', (b: any) => { b.areas[0].tables[1].number = 1; }, 'areas[0].tables[1].number'],
    ['weekday 8', (b: any) => { b.services[0].days = [8]; }, 'services[0].days[0]'],
  ])('rejects a body with %s: 400 validation_error naming the field, nothing written', async (_name, mutate, field) => {
    const body = venueBody();
    mutate(body);
    const res = await t.admin('post', '/admin/v1/venues').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(res.body.error.details.field).toBe(field);
    if (typeof body.slug === 'string') {
      const venues = (await t.composed.deps.dataSource.query('SELECT COUNT(*) AS n FROM venues WHERE slug = ?', [body.slug])) as { n: number }[];
      expect(Number(venues[0]!.n)).toBe(0);
    }
  });

  it('answers a duplicate slug with 409 conflict and leaves the first venue alone', async () => {
    const body = venueBody();
    expect((await t.admin('post', '/admin/v1/venues').send(body)).status).toBe(201);
    const again = await t.admin('post', '/admin/v1/venues').send({ ...body, name: 'Other' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect(await count('venue_tables', body.slug as string)).toBe(4);
  });

  it('answers 404 for every admin route while ADMIN_TOKEN is unset', async () => {
    const off = await startTestApp({ ADMIN_TOKEN: '' });
    try {
      const res = await off.http.post('/admin/v1/venues').set('Authorization', 'Bearer anything').send(venueBody());
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('admin_api_disabled');
    } finally {
      await off.stop();
    }
  });
});
