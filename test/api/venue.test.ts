import { DateTime } from 'luxon';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';

const TZ = 'Europe/London';
const day = (days: number): string => DateTime.now().setZone(TZ).plus({ days }).toISODate()!;

describe('booking API: venue, services, events', () => {
  let t: TestApp;
  let venue: CreatedVenue;
  let key: string;
  const get = (path: string) => t.http.get(`/api/v1${path}`).set('Authorization', `Bearer ${key}`);

  beforeAll(async () => {
    t = await startTestApp();
    venue = await createVenue(t, {
      services: [
        { name: 'Lunch', days: [1, 2, 3, 4, 5], start: '12:00', end: '15:00', slot_interval_minutes: 30, duration_minutes: 60 },
        { name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '17:00', end: '23:00', slot_interval_minutes: 15, duration_minutes: 90, max_covers_per_slot: 20 },
      ],
      events: [
        { name: 'Last month', date: day(-30), start: '19:00', end: '22:00', capacity: 10 },
        { name: 'Jazz', date: day(7), start: '19:00', end: '22:00', capacity: 10 },
        { name: 'Wine', date: day(3), start: '18:00', end: '21:00', capacity: 8 },
        { name: 'Cheese', date: day(3), start: '12:00', end: '14:00', capacity: 12 },
      ],
    });
    key = await createApiKey(t, venue.id);
  });
  afterAll(() => t.stop());

  it('GET /venue shows the key\'s venue: profile, areas with tables, services (its hours) and events', async () => {
    const res = await get('/venue');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: venue.id, name: venue.json.name, slug: venue.json.slug, timezone: 'Europe/London', currency: 'GBP',
      country: 'GB', plan: 'business',
    });
    expect(res.body.areas).toEqual(venue.json.areas);
    expect(res.body.services.map((s: any) => [s.name, s.days, s.start, s.end])).toEqual([
      ['Lunch', [1, 2, 3, 4, 5], '12:00', '15:00'],
      ['Dinner', [1, 2, 3, 4, 5, 6, 7], '17:00', '23:00'],
    ]);
    expect(res.body.events).toHaveLength(4);
  });

  it('GET /services lists the services in the list envelope, a page at a time', async () => {
    const all = await get('/services');
    expect(all.status).toBe(200);
    const byStart = [...venue.json.services].sort((a: any, b: any) => a.start.localeCompare(b.start));
    expect(all.body).toEqual({ data: byStart, next_cursor: null });
    const first = await get('/services?limit=1');
    expect(first.body.data.map((s: any) => s.name)).toEqual(['Lunch']);
    const second = await get(`/services?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.body).toEqual({ data: [expect.objectContaining({ name: 'Dinner', max_covers_per_slot: 20 })], next_cursor: null });
  });

  it('GET /events lists upcoming events in date order with capacity and remaining covers', async () => {
    const wine = venue.json.events.find((e: any) => e.name === 'Wine');
    const booked = await t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${key}`)
      .send({ date: day(3), time: '18:30', party_size: 3, customer_name: 'Event guest', event_id: wine.id });
    expect(booked.status).toBe(201);
    const res = await get('/events');
    expect(res.status).toBe(200);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.data.map((e: any) => [e.name, e.date, e.start, e.capacity, e.booked_covers, e.remaining])).toEqual([
      ['Cheese', day(3), '12:00', 12, 0, 12],
      ['Wine', day(3), '18:00', 8, 3, 5],
      ['Jazz', day(7), '19:00', 10, 0, 10],
    ]);
    // A cancelled booking gives its covers back.
    await t.http.patch(`/api/v1/bookings/${booked.body.id}`).set('Authorization', `Bearer ${key}`).send({ status: 'cancelled' }).expect(200);
    const after = await get('/events?limit=2');
    expect(after.body.data.map((e: any) => [e.name, e.remaining])).toEqual([['Cheese', 12], ['Wine', 8]]);
    const rest = await get(`/events?limit=2&cursor=${after.body.next_cursor}`);
    expect(rest.body.data.map((e: any) => e.name)).toEqual(['Jazz']);
    expect(rest.body.next_cursor).toBeNull();
  });

  it.each([
    ['/services?limit=0', 'limit'],
    ['/services?limit=x', 'limit'],
    ['/events?cursor=abc', 'cursor'],
    ['/events?from=2026-01-01', 'from'],
  ])('rejects %s with 400 naming the parameter', async (path, field) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(res.body.error.details.field).toBe(field);
  });

  it('refuses an events cursor on the services list', async () => {
    const events = await get('/events?limit=1');
    const res = await get(`/services?cursor=${events.body.next_cursor}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).toBe('cursor');
  });
});
