import { expectAppError, expectValidationError } from '../helpers/expect-error';
import {
  Availability,
  AvailabilityInput,
  EventDef,
  ExistingBooking,
  ServiceDef,
  TableDef,
  bookingQueryRange,
  checkSlot,
  computeAvailability,
  computeAvailabilityRange,
  nearestAlternatives,
} from '../../src/modules/diary/availability';
import { addDays, localToInstant } from '../../src/modules/diary/venue-time';

const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';
const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];
const FRIDAY = '2026-05-01'; // BST, UTC+1

const dinner: ServiceDef = {
  id: 'svc_dinner',
  name: 'Dinner',
  days: ALL_DAYS,
  start: '18:00',
  end: '22:00',
  slot_interval_minutes: 30,
  duration_minutes: 90,
  max_covers_per_slot: null,
  requires_approval: false,
};

const tables: TableDef[] = [
  { id: 'tbl_6', number: 4, min_covers: 4, max_covers: 6 },
  { id: 'tbl_4b', number: 3, min_covers: 2, max_covers: 4 },
  { id: 'tbl_4a', number: 2, min_covers: 2, max_covers: 4 },
  { id: 'tbl_2', number: 1, min_covers: 1, max_covers: 2 },
];

let seq = 0;
function booking(
  table_id: string | null,
  date: string,
  time: string,
  minutes: number,
  party_size: number,
  extra: Partial<ExistingBooking> = {},
  tz = LONDON,
): ExistingBooking {
  const start_at = localToInstant(date, time, tz);
  return {
    id: `bk_${++seq}`,
    table_id,
    start_at,
    end_at: new Date(start_at.getTime() + minutes * 60_000),
    party_size,
    status: 'confirmed',
    service_id: 'svc_dinner',
    event_id: null,
    date,
    time,
    ...extra,
  };
}

function input(overrides: Partial<AvailabilityInput> = {}): AvailabilityInput {
  return {
    timezone: LONDON,
    date: FRIDAY,
    party_size: 2,
    services: [dinner],
    tables,
    events: [],
    bookings: [],
    now: new Date('2026-04-01T12:00:00Z'),
    ...overrides,
  };
}

const times = (a: Availability): string[] => a.slots.map((s) => s.time);
const open = (a: Availability): string[] => a.slots.filter((s) => s.available).map((s) => s.time);
const slot = (a: Availability, time: string) => a.slots.find((s) => s.time === time)!;

describe('slot grid', () => {
  it('runs from start every interval; the last slot starts at end − duration', () => {
    const a = computeAvailability(input());
    expect(a.date).toBe(FRIDAY);
    expect(a.party_size).toBe(2);
    expect(times(a)).toEqual(['18:00', '18:30', '19:00', '19:30', '20:00', '20:30']);
    expect(a.slots.every((s) => s.available && s.service_id === 'svc_dinner')).toBe(true);
  });

  it('only lists services that run on the ISO weekday', () => {
    const weekdays = { ...dinner, days: [1, 2, 3, 4] };
    expect(computeAvailability(input({ services: [weekdays] })).slots).toEqual([]); // Friday = 5
    expect(times(computeAvailability(input({ services: [weekdays], date: '2026-04-30' })))).toHaveLength(6);
  });

  it('lists several services in time order and filters by service_id', () => {
    const lunch: ServiceDef = { ...dinner, id: 'svc_lunch', start: '12:00', end: '14:00', slot_interval_minutes: 60, duration_minutes: 60 };
    const a = computeAvailability(input({ services: [dinner, lunch] }));
    expect(times(a)).toEqual(['12:00', '13:00', '18:00', '18:30', '19:00', '19:30', '20:00', '20:30']);
    expect(slot(a, '12:00').service_id).toBe('svc_lunch');
    expect(times(computeAvailability(input({ services: [dinner, lunch], service_id: 'svc_lunch' })))).toEqual(['12:00', '13:00']);
    expectValidationError(() => computeAvailability(input({ service_id: 'svc_nope' })), { field: 'service_id' });
  });

  it('keeps one slot per time when services overlap, preferring an available one', () => {
    const paced: ServiceDef = { ...dinner, id: 'svc_a', max_covers_per_slot: 2 };
    const other: ServiceDef = { ...dinner, id: 'svc_b' };
    const a = computeAvailability(input({ services: [paced, other], party_size: 4 }));
    expect(times(a)).toEqual(['18:00', '18:30', '19:00', '19:30', '20:00', '20:30']);
    expect(slot(a, '19:00')).toMatchObject({ available: true, service_id: 'svc_b' });
    const res = checkSlot({ ...input({ services: [paced, other], party_size: 4 }), time: '19:00' });
    expect(res).toMatchObject({ ok: true, service_id: 'svc_b' });
  });

  it('rejects bad dates, time zones and party sizes', () => {
    expectValidationError(() => computeAvailability(input({ date: '2026-02-30' })), { field: 'date' });
    expectValidationError(() => computeAvailability(input({ timezone: 'Nowhere/Land' })), { field: 'timezone' });
    for (const p of [0, -1, 2.5, 101, NaN]) {
      expectValidationError(() => computeAvailability(input({ party_size: p })), { field: 'party_size' });
    }
  });
});

describe('table fit', () => {
  it('lists fitting tables smallest first, ties by number', () => {
    expect(slot(computeAvailability(input({ party_size: 2 })), '19:00').table_ids).toEqual(['tbl_2', 'tbl_4a', 'tbl_4b']);
    expect(slot(computeAvailability(input({ party_size: 3 })), '19:00').table_ids).toEqual(['tbl_4a', 'tbl_4b']);
    expect(slot(computeAvailability(input({ party_size: 5 })), '19:00').table_ids).toEqual(['tbl_6']);
  });

  it('respects min_covers (a single guest does not get a four-top with min 2)', () => {
    expect(slot(computeAvailability(input({ party_size: 1 })), '19:00').table_ids).toEqual(['tbl_2']);
  });

  it('a party larger than every table is unavailable, not an error', () => {
    const a = computeAvailability(input({ party_size: 7 }));
    expect(a.slots).toHaveLength(6);
    expect(open(a)).toEqual([]);
    expect(checkSlot({ ...input({ party_size: 7 }), time: '19:00' })).toEqual({ ok: false, reason: 'no_table_available' });
  });

  it('checkSlot picks the smallest free table that fits', () => {
    expect(checkSlot({ ...input({ party_size: 2 }), time: '19:00' })).toMatchObject({ ok: true, table_id: 'tbl_2' });
    const taken = [booking('tbl_2', FRIDAY, '19:00', 90, 2)];
    expect(checkSlot({ ...input({ party_size: 2, bookings: taken }), time: '19:00' })).toMatchObject({ ok: true, table_id: 'tbl_4a' });
  });

  it('tie-breaks on tighter min_covers, then numerically by table number', () => {
    const ts: TableDef[] = [
      { id: 'a', number: '10', min_covers: 2, max_covers: 4 },
      { id: 'b', number: '9', min_covers: 2, max_covers: 4 },
      { id: 'c', number: '1', min_covers: 1, max_covers: 4 },
    ];
    expect(slot(computeAvailability(input({ tables: ts, party_size: 3 })), '19:00').table_ids).toEqual(['b', 'a', 'c']);
  });

  it('returns exact instants and the service', () => {
    expect(checkSlot({ ...input(), time: '19:00' })).toEqual({
      ok: true,
      table_id: 'tbl_2',
      service_id: 'svc_dinner',
      event_id: null,
      date: FRIDAY,
      time: '19:00',
      start_at: new Date('2026-05-01T18:00:00.000Z'),
      end_at: new Date('2026-05-01T19:30:00.000Z'),
    });
  });
});

describe('bookings', () => {
  // The only table for 5 is taken 19:00–20:30.
  const big = booking('tbl_6', FRIDAY, '19:00', 90, 5);

  it('an overlapping booking blocks its table; back-to-back does not overlap', () => {
    const a = computeAvailability(input({ party_size: 5, bookings: [big] }));
    expect(open(a)).toEqual(['20:30']); // 18:00 ends 19:30 > 19:00; 20:30 starts as it ends
    expect(checkSlot({ ...input({ party_size: 5, bookings: [big] }), time: '19:30' })).toEqual({
      ok: false,
      reason: 'no_table_available',
    });
  });

  it('other tables stay available', () => {
    expect(open(computeAvailability(input({ party_size: 4, bookings: [big] })))).toHaveLength(6);
  });

  it.each(['cancelled', 'no_show'])('ignores %s bookings', (status) => {
    const a = computeAvailability(input({ party_size: 5, bookings: [{ ...big, status }] }));
    expect(open(a)).toHaveLength(6);
  });

  it('still counts seated and completed bookings', () => {
    for (const status of ['pending', 'seated', 'completed']) {
      expect(open(computeAvailability(input({ party_size: 5, bookings: [{ ...big, status }] })))).toEqual(['20:30']);
    }
  });

  it('exclude_booking_id lets a booking move onto its own table and time', () => {
    const moved = input({ party_size: 5, bookings: [big], exclude_booking_id: big.id });
    expect(open(computeAvailability(moved))).toHaveLength(6);
    expect(checkSlot({ ...moved, time: '19:30', table_id: 'tbl_6' })).toMatchObject({ ok: true, table_id: 'tbl_6' });
  });

  it('bookings without a table hold no table', () => {
    expect(open(computeAvailability(input({ party_size: 5, bookings: [{ ...big, table_id: null }] })))).toHaveLength(6);
  });
});

describe('past slots', () => {
  it('a slot at or before now is unavailable', () => {
    const now = new Date('2026-05-01T17:30:00Z'); // 18:30 BST
    const a = computeAvailability(input({ now }));
    expect(a.slots).toHaveLength(6);
    expect(open(a)).toEqual(['19:00', '19:30', '20:00', '20:30']);
    expect(checkSlot({ ...input({ now }), time: '18:30' })).toEqual({ ok: false, reason: 'in_past' });
  });

  it('a whole past day is unavailable', () => {
    expect(open(computeAvailability(input({ now: new Date('2026-06-01T00:00:00Z') })))).toEqual([]);
  });
});

describe('pacing', () => {
  const paced: ServiceDef = { ...dinner, max_covers_per_slot: 6 };
  const four = booking('tbl_4a', FRIDAY, '19:00', 90, 4);

  it('caps covers starting in a slot per service', () => {
    const base = { services: [paced], bookings: [four] };
    expect(slot(computeAvailability(input({ ...base, party_size: 2 })), '19:00').available).toBe(true);
    const three = computeAvailability(input({ ...base, party_size: 3 }));
    expect(slot(three, '19:00').available).toBe(false);
    expect(slot(three, '19:30').available).toBe(true); // pacing is per slot, not per sitting
    expect(checkSlot({ ...input({ ...base, party_size: 3 }), time: '19:00' })).toEqual({ ok: false, reason: 'pacing_limit_reached' });
  });

  it('counts off-grid bookings in the slot they start in', () => {
    const offGrid = booking('tbl_4a', FRIDAY, '19:10', 90, 4);
    expect(slot(computeAvailability(input({ services: [paced], bookings: [offGrid], party_size: 3 })), '19:00').available).toBe(false);
  });

  it('ignores cancelled bookings, other services and the excluded booking', () => {
    const cases: Partial<AvailabilityInput>[] = [
      { bookings: [{ ...four, status: 'cancelled' }] },
      { bookings: [{ ...four, service_id: 'svc_other' }] },
      { bookings: [four], exclude_booking_id: four.id },
    ];
    for (const c of cases) {
      expect(slot(computeAvailability(input({ services: [paced], party_size: 3, ...c })), '19:00').available).toBe(true);
    }
  });

  it('a party above the pacing limit never fits', () => {
    expect(open(computeAvailability(input({ services: [{ ...dinner, max_covers_per_slot: 4 }], party_size: 5 })))).toEqual([]);
  });
});

describe('service crossing midnight', () => {
  // Friday only, 22:00 → 02:00, hourly, 60 min sittings: starts 22:00, 23:00, 00:00, 01:00.
  const late: ServiceDef = { ...dinner, id: 'svc_late', days: [5], start: '22:00', end: '02:00', slot_interval_minutes: 60, duration_minutes: 60 };
  const base = { services: [late] };

  it('lists the after-midnight slots under the next calendar date', () => {
    expect(times(computeAvailability(input(base)))).toEqual(['22:00', '23:00']);
    const sat = computeAvailability(input({ ...base, date: '2026-05-02' }));
    expect(times(sat)).toEqual(['00:00', '01:00']);
    expect(sat.slots.every((s) => s.available && s.service_id === 'svc_late')).toBe(true);
    // Saturday is not a service day, so Sunday has no tail.
    expect(computeAvailability(input({ ...base, date: '2026-05-03' })).slots).toEqual([]);
  });

  it('date + time is the real local moment', () => {
    expect(checkSlot({ ...input({ ...base, date: '2026-05-02' }), time: '00:00' })).toMatchObject({
      ok: true,
      date: '2026-05-02',
      time: '00:00',
      start_at: new Date('2026-05-01T23:00:00.000Z'),
      end_at: new Date('2026-05-02T00:00:00.000Z'),
    });
    expectValidationError(() => checkSlot({ ...input(base), time: '00:00' }), { field: 'time', reason: 'not_on_slot_grid' });
  });

  it('a booking spanning midnight blocks the next day’s early slot', () => {
    const b = booking('tbl_6', FRIDAY, '23:30', 60, 5, { service_id: 'svc_late' });
    const sat = computeAvailability(input({ ...base, date: '2026-05-02', party_size: 5, bookings: [b] }));
    expect(open(sat)).toEqual(['01:00']);
  });

  it('end equal to start is a 24 h service', () => {
    const allDay: ServiceDef = { ...dinner, start: '06:00', end: '06:00', slot_interval_minutes: 360, duration_minutes: 60 };
    expect(times(computeAvailability(input({ services: [allDay] })))).toEqual(['00:00', '06:00', '12:00', '18:00']);
  });
});

describe('DST', () => {
  // Saturday → Sunday night service, 23:00 → 04:00, every 30 min, one hour sittings.
  const night: ServiceDef = { ...dinner, id: 'svc_night', days: [6], start: '23:00', end: '04:00', duration_minutes: 60 };
  const nyNight: ServiceDef = { ...night, days: [7], start: '00:00' };

  describe('Europe/London spring forward 2026-03-29', () => {
    const base = { services: [night], date: '2026-03-29', now: new Date('2026-03-01T00:00:00Z') };

    it('skips slots whose local time does not exist', () => {
      expect(times(computeAvailability(input(base)))).toEqual(['00:00', '00:30', '02:00', '02:30', '03:00']);
    });

    it('gives exact instants and elapsed durations', () => {
      expect(checkSlot({ ...input(base), time: '00:30' })).toMatchObject({
        start_at: new Date('2026-03-29T00:30:00.000Z'),
        end_at: new Date('2026-03-29T01:30:00.000Z'), // 02:30 BST
      });
      expect(checkSlot({ ...input(base), time: '02:00' })).toMatchObject({
        start_at: new Date('2026-03-29T01:00:00.000Z'),
        end_at: new Date('2026-03-29T02:00:00.000Z'),
      });
      expect(checkSlot({ ...input({ ...base, services: [dinner] }), time: '19:00' })).toMatchObject({
        start_at: new Date('2026-03-29T18:00:00.000Z'),
      });
    });

    it('a nonexistent time is a validation error', () => {
      expectValidationError(() => checkSlot({ ...input(base), time: '01:30' }), { field: 'time', reason: 'nonexistent_local_time' });
    });

    it('overlap uses real instants: 00:30 GMT + 60 min reaches 02:30 BST', () => {
      const b = booking('tbl_6', '2026-03-29', '00:30', 60, 5, { service_id: 'svc_night' });
      const a = computeAvailability(input({ ...base, party_size: 5, bookings: [b] }));
      expect(open(a)).toEqual(['02:30', '03:00']); // 00:00, 00:30 and 02:00 (= 01:00Z) overlap
    });
  });

  describe('Europe/London fall back 2026-10-25', () => {
    const base = { services: [night], date: '2026-10-25', now: new Date('2026-10-01T00:00:00Z') };

    it('lists each local time once', () => {
      expect(times(computeAvailability(input(base)))).toEqual(['00:00', '00:30', '01:00', '01:30', '02:00', '02:30', '03:00']);
    });

    it('an ambiguous time is its first occurrence', () => {
      expect(checkSlot({ ...input(base), time: '01:30' })).toMatchObject({
        start_at: new Date('2026-10-25T00:30:00.000Z'),
        end_at: new Date('2026-10-25T01:30:00.000Z'),
      });
      expect(checkSlot({ ...input(base), time: '00:30' })).toMatchObject({ start_at: new Date('2026-10-24T23:30:00.000Z') });
      expect(checkSlot({ ...input(base), time: '02:00' })).toMatchObject({ start_at: new Date('2026-10-25T02:00:00.000Z') });
      expect(checkSlot({ ...input({ ...base, services: [dinner] }), time: '19:00' })).toMatchObject({
        start_at: new Date('2026-10-25T19:00:00.000Z'),
      });
    });
  });

  describe('America/New_York', () => {
    it('spring forward 2026-03-08 skips 02:00 and 02:30', () => {
      const base = { timezone: NEW_YORK, services: [nyNight], date: '2026-03-08', now: new Date('2026-03-01T00:00:00Z') };
      expect(times(computeAvailability(input(base)))).toEqual(['00:00', '00:30', '01:00', '01:30', '03:00']);
      expect(checkSlot({ ...input(base), time: '01:30' })).toMatchObject({
        start_at: new Date('2026-03-08T06:30:00.000Z'),
        end_at: new Date('2026-03-08T07:30:00.000Z'), // 03:30 EDT
      });
      expect(checkSlot({ ...input(base), time: '03:00' })).toMatchObject({ start_at: new Date('2026-03-08T07:00:00.000Z') });
      expectValidationError(() => checkSlot({ ...input(base), time: '02:30' }), { reason: 'nonexistent_local_time' });
    });

    it('fall back 2026-11-01 resolves 01:30 to EDT', () => {
      const base = { timezone: NEW_YORK, services: [nyNight], date: '2026-11-01', now: new Date('2026-10-01T00:00:00Z') };
      expect(times(computeAvailability(input(base)))).toEqual(['00:00', '00:30', '01:00', '01:30', '02:00', '02:30', '03:00']);
      expect(checkSlot({ ...input(base), time: '01:30' })).toMatchObject({ start_at: new Date('2026-11-01T05:30:00.000Z') });
      expect(checkSlot({ ...input(base), time: '02:00' })).toMatchObject({ start_at: new Date('2026-11-01T07:00:00.000Z') });
      expect(checkSlot({ ...input({ ...base, services: [dinner] }), time: '19:00' })).toMatchObject({
        start_at: new Date('2026-11-02T00:00:00.000Z'),
      });
    });
  });
});

describe('checkSlot validation', () => {
  it.each([
    ['19:15', 'not_on_slot_grid'], // off the 30-min grid
    ['21:00', 'not_on_slot_grid'], // after end − duration
    ['17:30', 'not_on_slot_grid'], // before opening
  ])('time %s → validation_error', (time, reason) => {
    expectValidationError(() => checkSlot({ ...input(), time }), { field: 'time', reason });
  });

  it('a malformed time is a validation error', () => {
    expectValidationError(() => checkSlot({ ...input(), time: '7pm' }), { field: 'time' });
  });

  it('a named table must exist, fit and be free', () => {
    expect(checkSlot({ ...input({ party_size: 4 }), time: '19:00', table_id: 'tbl_4b' })).toMatchObject({ ok: true, table_id: 'tbl_4b' });
    expect(checkSlot({ ...input({ party_size: 4 }), time: '19:00', table_id: 'tbl_2' })).toEqual({ ok: false, reason: 'table_does_not_fit' });
    expect(checkSlot({ ...input({ party_size: 7 }), time: '19:00', table_id: 'tbl_2' })).toEqual({ ok: false, reason: 'table_does_not_fit' });
    const busy = [booking('tbl_4b', FRIDAY, '18:30', 90, 4)];
    expect(checkSlot({ ...input({ party_size: 4, bookings: busy }), time: '19:00', table_id: 'tbl_4b' })).toEqual({
      ok: false,
      reason: 'table_unavailable',
    });
    // Even when no other table is free either, the named table is the reason.
    const big = [booking('tbl_6', FRIDAY, '19:00', 90, 5)];
    expect(checkSlot({ ...input({ party_size: 5, bookings: big }), time: '19:00', table_id: 'tbl_6' })).toEqual({
      ok: false,
      reason: 'table_unavailable',
    });
    expectAppError(() => checkSlot({ ...input(), time: '19:00', table_id: 'tbl_nope' }), 'not_found', { field: 'table_id' });
  });
});

describe('events', () => {
  const tasting: EventDef = { id: 'vev_wine', date: FRIDAY, start: '19:00', end: '21:00', capacity: 10 };
  const base = { events: [tasting], event_id: 'vev_wine' };

  it('offers the event window on the covering service’s interval', () => {
    const a = computeAvailability(input(base));
    expect(times(a)).toEqual(['19:00', '19:30', '20:00', '20:30']);
    expect(a.slots.every((s) => s.available && s.event_id === 'vev_wine' && s.service_id === 'svc_dinner')).toBe(true);
  });

  it('falls back to 30 minutes and no service when none covers it', () => {
    const brunch: EventDef = { ...tasting, id: 'vev_brunch', start: '10:00', end: '11:30' };
    const a = computeAvailability(input({ events: [brunch], event_id: 'vev_brunch' }));
    expect(times(a)).toEqual(['10:00', '10:30', '11:00']);
    expect(slot(a, '10:00').service_id).toBeNull();
  });

  it('a booking holds its table until the event ends', () => {
    expect(checkSlot({ ...input(base), time: '19:30' })).toEqual({
      ok: true,
      table_id: 'tbl_2',
      service_id: 'svc_dinner',
      event_id: 'vev_wine',
      date: FRIDAY,
      time: '19:30',
      start_at: new Date('2026-05-01T18:30:00.000Z'),
      end_at: new Date('2026-05-01T20:00:00.000Z'),
    });
  });

  it('is bounded by capacity over all its active bookings', () => {
    const sold = [
      booking('tbl_4a', FRIDAY, '19:00', 120, 4, { event_id: 'vev_wine' }),
      booking('tbl_4b', FRIDAY, '19:30', 90, 4, { event_id: 'vev_wine' }),
      booking('tbl_6', FRIDAY, '19:00', 120, 6, { event_id: 'vev_wine', status: 'cancelled' }),
    ];
    expect(open(computeAvailability(input({ ...base, bookings: sold, party_size: 2 })))).toHaveLength(4);
    expect(open(computeAvailability(input({ ...base, bookings: sold, party_size: 3 })))).toEqual([]);
    expect(checkSlot({ ...input({ ...base, bookings: sold, party_size: 3 }), time: '19:00' })).toEqual({ ok: false, reason: 'event_full' });
    // Moving one of its own bookings frees its covers.
    expect(checkSlot({ ...input({ ...base, bookings: sold, party_size: 4, exclude_booking_id: sold[0].id }), time: '20:00' })).toMatchObject({
      ok: true,
      table_id: 'tbl_4a',
    });
  });

  it('still needs a free fitting table', () => {
    const busy = [booking('tbl_6', FRIDAY, '18:00', 240, 5, { event_id: null })];
    const a = computeAvailability(input({ ...base, bookings: busy, party_size: 5 }));
    expect(open(a)).toEqual([]);
  });

  it('event bookings block tables for regular service', () => {
    const b = booking('tbl_6', FRIDAY, '19:00', 120, 5, { event_id: 'vev_wine' });
    expect(open(computeAvailability(input({ events: [tasting], bookings: [b], party_size: 5 })))).toEqual([]);
  });

  it('times outside the event, other dates and unknown events are rejected', () => {
    expectValidationError(() => checkSlot({ ...input(base), time: '18:30' }), { field: 'time', reason: 'outside_event' });
    expectValidationError(() => checkSlot({ ...input(base), time: '21:00' }), { field: 'time', reason: 'outside_event' });
    expectValidationError(() => checkSlot({ ...input({ ...base, date: '2026-05-02' }), time: '19:00' }), { reason: 'outside_event' });
    expect(computeAvailability(input({ ...base, date: '2026-05-02' })).slots).toEqual([]);
    expectValidationError(() => computeAvailability(input({ ...base, event_id: 'vev_nope' })), { field: 'event_id' });
    expectAppError(() => checkSlot({ ...input({ ...base, event_id: 'vev_nope' }), time: '19:00' }), 'not_found', { field: 'event_id' });
  });
});

describe('nearestAlternatives', () => {
  const avail = (spec: Record<string, boolean>): Availability => ({
    date: FRIDAY,
    party_size: 2,
    slots: Object.entries(spec).map(([time, available]) => ({ time, available, service_id: 'svc_dinner', table_ids: [] })),
  });

  it('returns the nearest available times, nearest first, earlier on ties', () => {
    const a = avail({ '18:00': true, '18:30': true, '19:00': false, '19:30': true, '20:00': false, '20:30': true });
    expect(nearestAlternatives(a, '19:00')).toEqual(['18:30', '19:30', '18:00']);
    expect(nearestAlternatives(a, '19:00', 1)).toEqual(['18:30']);
    expect(nearestAlternatives(a, '20:00', 10)).toEqual(['19:30', '20:30', '18:30', '18:00']);
  });

  it('works for a time off the grid and never returns the requested time', () => {
    const a = avail({ '18:00': true, '19:00': true, '20:00': true });
    expect(nearestAlternatives(a, '19:40')).toEqual(['20:00', '19:00', '18:00']);
    expect(nearestAlternatives(a, '19:00', 2)).toEqual(['18:00', '20:00']);
    expect(nearestAlternatives(avail({ '19:00': false }), '19:00')).toEqual([]);
  });

  it('fits the engine output', () => {
    const big = booking('tbl_6', FRIDAY, '19:00', 90, 5);
    const a = computeAvailability(input({ party_size: 5, bookings: [big], now: new Date('2026-05-01T16:45:00Z') }));
    expect(nearestAlternatives(a, '19:30')).toEqual(['20:30']);
  });
});

describe('bookingQueryRange', () => {
  it('covers the day before through the day after, in venue time', () => {
    const r = bookingQueryRange(FRIDAY, LONDON);
    expect(r.from.toISOString()).toBe('2026-04-29T23:00:00.000Z');
    expect(r.to.toISOString()).toBe('2026-05-02T23:00:00.000Z');
  });
});

describe('a range of days (the public widget\'s, computeAvailabilityRange)', () => {
  it('gives every day exactly what computeAvailability gives it alone, from one index of all the days\' bookings', () => {
    // Across the October clock change, a service past midnight, pacing, cancelled bookings and an event's.
    const late: ServiceDef = { ...dinner, id: 'svc_late', name: 'Late', days: [5, 6], start: '22:00', end: '01:30', slot_interval_minutes: 30, duration_minutes: 60 };
    const paced: ServiceDef = { ...dinner, id: 'svc_paced', start: '12:00', end: '15:00', max_covers_per_slot: 6 };
    const dates = Array.from({ length: 10 }, (_, i) => addDays('2026-10-20', i));
    const all: ExistingBooking[] = [];
    dates.forEach((date, d) => {
      for (let k = 0; k < 14; k++) {
        const table = tables[(k + d) % tables.length]!.id;
        const hour = 12 + ((k * 5 + d) % 11);
        const extra: Partial<ExistingBooking> = {
          service_id: hour < 15 ? 'svc_paced' : hour >= 22 ? 'svc_late' : 'svc_dinner',
          status: k % 7 === 3 ? 'cancelled' : 'confirmed',
          event_id: k === 9 ? 'evt_x' : null,
        };
        all.push(booking(k % 5 === 4 ? null : table, date, `${String(hour).padStart(2, '0')}:${k % 2 ? '30' : '00'}`, 60 + (k % 3) * 45, 1 + (k % 4), extra));
      }
    });
    for (const party of [1, 2, 4, 6]) {
      const base = input({ services: [dinner, late, paced], party_size: party, bookings: all, now: new Date('2026-10-21T13:10:00Z') });
      const { date: _date, ...rest } = base;
      const range = computeAvailabilityRange(rest, dates);
      expect(range.map((a) => a.date)).toEqual(dates);
      // Not a trivial equality: each party finds free slots and taken (or past, or paced) ones.
      const flags = new Set(range.flatMap((a) => a.slots.map((sl) => sl.available)));
      expect(flags).toEqual(new Set([true, false]));
      dates.forEach((date, i) => {
        const { from, to } = bookingQueryRange(date, LONDON);
        const near = all.filter((b) => b.start_at < to && b.end_at > from);
        const alone = computeAvailability({ ...base, date, bookings: near });
        expect(range[i]!.slots).toEqual(alone.slots.map((sl) => ({ ...sl, table_ids: [] })));
      });
    }
    expect(computeAvailabilityRange(input(), [])).toEqual([]);
    expectValidationError(() => computeAvailabilityRange(input(), ['2026-02-30']), { field: 'date' });
  });
});
