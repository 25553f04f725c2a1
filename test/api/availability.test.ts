import { DateTime } from 'luxon';
import { createApiKey, createVenue, type CreatedVenue } from '../helpers/fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';

const TZ = 'Europe/London';
const day = (days: number): string => DateTime.now().setZone(TZ).plus({ days }).toISODate()!;

/** The next date (after tomorrow) on which London's UTC offset at noon goes `up` (spring) or down (autumn). */
function nextDstChange(up: boolean): string {
  let d = DateTime.now().setZone(TZ).startOf('day').plus({ days: 2 });
  for (let i = 0; i < 400; i++, d = d.plus({ days: 1 })) {
    const before = d.minus({ days: 1 }).set({ hour: 12 }).offset;
    const after = d.set({ hour: 12 }).offset;
    if (up ? after > before : after < before) return d.toISODate()!;
  }
  throw new Error('no DST change within a year');
}

/** Dinner 17:00–23:00 every 15 min (90 min sittings) from the fixture. */
const DINNER_TIMES = Array.from({ length: 19 }, (_, i) => DateTime.fromObject({ hour: 17 }).plus({ minutes: 15 * i }).toFormat('HH:mm'));

describe('booking API: availability', () => {
  let t: TestApp;
  let venue: CreatedVenue;
  let key: string;
  const get = (query: string, k = key) => t.http.get(`/api/v1/availability${query}`).set('Authorization', `Bearer ${k}`);
  const book = (body: Record<string, unknown>, k = key) =>
    t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${k}`).send({ customer_name: 'Guest', party_size: 2, ...body });

  beforeAll(async () => {
    t = await startTestApp();
    venue = await createVenue(t, {
      services: [
        { name: 'Lunch', days: [1, 2, 3, 4, 5, 6, 7], start: '12:00', end: '14:00', slot_interval_minutes: 30, duration_minutes: 60 },
        { name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '17:00', end: '23:00', slot_interval_minutes: 15, duration_minutes: 90 },
      ],
      events: [{ name: 'Tasting', date: day(9), start: '19:00', end: '20:00', capacity: 4 }],
    });
    key = await createApiKey(t, venue.id);
  });
  afterAll(() => t.stop());

  it('lists every slot of the day with time, available and service_id', async () => {
    const res = await get(`?date=${day(5)}&party_size=2`);
    expect(res.status).toBe(200);
    const [lunch, dinner] = venue.json.services.map((s: any) => s.id);
    expect(res.body).toEqual({
      date: day(5),
      party_size: 2,
      slots: [
        ...['12:00', '12:30', '13:00'].map((time) => ({ time, available: true, service_id: lunch })),
        ...DINNER_TIMES.map((time) => ({ time, available: true, service_id: dinner })),
      ],
    });
  });

  it('limits the slots to one service with service_id', async () => {
    const lunch = venue.json.services[0].id;
    const res = await get(`?date=${day(5)}&party_size=2&service_id=${lunch}`);
    expect(res.body.slots.map((s: any) => s.time)).toEqual(['12:00', '12:30', '13:00']);
  });

  it('marks a time unavailable once every fitting table is taken, for that party size only', async () => {
    const d = day(6);
    for (let i = 0; i < 3; i++) expect((await book({ date: d, time: '19:00' })).status).toBe(201); // tables 1, 2, 3
    const two = (await get(`?date=${d}&party_size=2`)).body.slots;
    const at = (slots: any[], time: string) => slots.find((s) => s.time === time).available;
    // Sittings last 90 minutes: 17:45 would end at 19:15, 20:30 starts when they leave.
    expect(['17:30', '17:45', '18:00', '19:00', '20:15', '20:30'].map((x) => at(two, x))).toEqual([true, false, false, false, false, true]);
    const five = (await get(`?date=${d}&party_size=5`)).body.slots;
    expect(at(five, '19:00')).toBe(true); // table 4 (3–6) is still free
    const seven = (await get(`?date=${d}&party_size=7`)).body.slots;
    expect(seven.every((s: any) => !s.available)).toBe(true); // no table seats 7
  });

  it('shows the slots of a past date as unavailable', async () => {
    const res = await get(`?date=${day(-2)}&party_size=2`);
    expect(res.status).toBe(200);
    expect(res.body.slots.length).toBeGreaterThan(0);
    expect(res.body.slots.every((s: any) => s.available === false)).toBe(true);
  });

  it('gives an event\'s own arrival times and closes them when its capacity is booked', async () => {
    const eventId = venue.json.events[0].id;
    const before = await get(`?date=${day(9)}&party_size=2&event_id=${eventId}`);
    expect(before.body.slots.map((s: any) => [s.time, s.available, s.event_id])).toEqual([
      ['19:00', true, eventId], ['19:15', true, eventId], ['19:30', true, eventId], ['19:45', true, eventId],
    ]);
    expect((await book({ date: day(9), time: '19:15', party_size: 3, event_id: eventId })).status).toBe(201);
    const after = await get(`?date=${day(9)}&party_size=2&event_id=${eventId}`);
    expect(after.body.slots.every((s: any) => !s.available)).toBe(true);
    expect((await get(`?date=${day(9)}&party_size=1&event_id=${eventId}`)).body.slots[0].available).toBe(true);
  });

  it.each([
    ['', 'date'],
    [`?party_size=2`, 'date'],
    [`?date=${day(3)}`, 'party_size'],
    ['?date=2026-02-30&party_size=2', 'date'],
    ['?date=tomorrow&party_size=2', 'date'],
    [`?date=${day(3)}&party_size=0`, 'party_size'],
    [`?date=${day(3)}&party_size=10000`, 'party_size'],
    [`?date=${day(3)}&party_size=two`, 'party_size'],
    [`?date=${day(3)}&party_size=2.5`, 'party_size'],
    [`?date=${day(3)}&party_size=2&party_size=3`, 'party_size'],
    [`?date=${day(3)}&party_size=2&service_id=svc_unknown`, 'service_id'],
    [`?date=${day(3)}&party_size=2&service_id=lunch`, 'service_id'],
    [`?date=${day(3)}&party_size=2&event_id=vev_unknown`, 'event_id'],
    [`?date=${day(3)}&party_size=2&table=1`, 'table'],
  ])('rejects %s with 400 validation_error naming the parameter', async (query, field) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(res.body.error.details.field).toBe(field);
  });

  it('refuses another venue\'s service_id as unknown', async () => {
    const other = await createVenue(t);
    const res = await get(`?date=${day(3)}&party_size=2&service_id=${other.json.services[0].id}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).toBe('service_id');
  });

  describe('across daylight saving time changes (Europe/London, a late service 22:00–03:00)', () => {
    let late: CreatedVenue;
    let lateKey: string;
    const spring = nextDstChange(true);
    const autumn = nextDstChange(false);
    const times = async (date: string, party = 2) => {
      const res = await get(`?date=${date}&party_size=${party}`, lateKey);
      expect(res.status).toBe(200);
      return res.body.slots.map((s: any) => `${s.time}${s.available ? '' : ' (full)'}`);
    };

    beforeAll(async () => {
      late = await createVenue(t, {
        areas: [{ name: 'Club', tables: [{ number: 1, min_covers: 1, max_covers: 4 }] }],
        services: [{ name: 'Late', days: [1, 2, 3, 4, 5, 6, 7], start: '22:00', end: '03:00', slot_interval_minutes: 30, duration_minutes: 60 }],
      });
      lateKey = await createApiKey(t, late.id);
    });

    it('skips the hour that does not exist when the clocks go forward', async () => {
      expect(await times(spring)).toEqual(['00:00', '00:30', '02:00', '22:00', '22:30', '23:00', '23:30']);
    });

    it('refuses a booking at a time that does not exist with 400 on time', async () => {
      const res = await book({ date: spring, time: '01:30' }, lateKey);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.details).toMatchObject({ field: 'time', reason: 'nonexistent_local_time' });
    });

    it('lists the repeated hour once when the clocks go back, and books its first occurrence', async () => {
      expect(await times(autumn)).toEqual(['00:00', '00:30', '01:00', '01:30', '02:00', '22:00', '22:30', '23:00', '23:30']);
      const res = await book({ date: autumn, time: '01:00' }, lateKey);
      expect(res.status).toBe(201);
      // 01:00 BST (the first 01:00) is 00:00 UTC; the sitting lasts 60 real minutes.
      expect(res.body.start_at).toBe(`${autumn}T00:00:00.000Z`);
      expect(res.body.end_at).toBe(`${autumn}T01:00:00.000Z`);
      // 00:30 BST and 01:30 BST overlap it on the one table; 00:00 BST ends as it starts; 02:00 GMT is after it.
      expect(await times(autumn)).toEqual([
        '00:00', '00:30 (full)', '01:00 (full)', '01:30 (full)', '02:00', '22:00', '22:30', '23:00', '23:30',
      ]);
    });
  });
});
