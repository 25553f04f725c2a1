import { DateTime, IANAZone } from 'luxon';
import { expectValidationError } from '../helpers/expect-error';
import {
  addDays,
  addMinutesLocal,
  formatTime,
  instantToLocal,
  instantToLocalDate,
  isValidDate,
  isValidTime,
  isValidTimezone,
  isoWeekday,
  localToInstant,
  localToInstantLenient,
  parseTime,
  tryLocalToInstant,
} from '../../src/modules/diary/venue-time';

const iso = (date: string, time: string, tz: string): string => localToInstant(date, time, tz).toISOString();

describe('HH:MM', () => {
  it('parses and formats', () => {
    expect(parseTime('00:00')).toBe(0);
    expect(parseTime('18:30')).toBe(1110);
    expect(parseTime('23:59')).toBe(1439);
    expect(formatTime(1110)).toBe('18:30');
    expect(formatTime(1470)).toBe('00:30'); // wraps past midnight
    expect(formatTime(-30)).toBe('23:30');
  });

  it.each(['24:00', '7:30', '07:60', '0730', '', ' 07:30', '07:30:00'])('rejects %p', (value) => {
    expect(isValidTime(value)).toBe(false);
    expectValidationError(() => parseTime(value), { field: 'time', reason: 'invalid_time' });
  });

  it('names the field it validates', () => {
    expectValidationError(() => parseTime('nope', 'start'), { field: 'start' });
    expectValidationError(() => parseTime(1200), { field: 'time' });
  });
});

describe('dates', () => {
  it('validates real calendar days only', () => {
    expect(isValidDate('2026-05-01')).toBe(true);
    expect(isValidDate('2028-02-29')).toBe(true);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('2026-13-01')).toBe(false);
    expect(isValidDate('2026-5-1')).toBe(false);
    expect(isValidDate('2026-05-01T00:00:00Z')).toBe(false);
    expect(isValidDate(20260501)).toBe(false);
  });

  it('gives the ISO weekday (Mon=1 … Sun=7)', () => {
    expect(isoWeekday('2026-05-01')).toBe(5); // Friday
    expect(isoWeekday('2026-05-03')).toBe(7); // Sunday
    expect(isoWeekday('2026-05-04')).toBe(1); // Monday
    expect(isoWeekday('2026-03-29')).toBe(7);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('adds wall-clock minutes past midnight', () => {
    expect(addMinutesLocal('2026-05-01', '23:30', 60)).toEqual({ date: '2026-05-02', time: '00:30' });
    expect(addMinutesLocal('2026-05-01', '00:15', -30)).toEqual({ date: '2026-04-30', time: '23:45' });
    expect(addMinutesLocal('2026-12-31', '18:00', 8 * 60)).toEqual({ date: '2027-01-01', time: '02:00' });
    // Wall clock, not elapsed time: a DST night changes nothing.
    expect(addMinutesLocal('2026-03-29', '00:30', 120)).toEqual({ date: '2026-03-29', time: '02:30' });
  });
});

describe('localToInstant', () => {
  it('converts ordinary times in winter and summer', () => {
    expect(iso('2026-01-15', '19:00', 'Europe/London')).toBe('2026-01-15T19:00:00.000Z');
    expect(iso('2026-05-01', '19:00', 'Europe/London')).toBe('2026-05-01T18:00:00.000Z');
    expect(iso('2026-05-01', '19:00', 'America/New_York')).toBe('2026-05-01T23:00:00.000Z');
    expect(iso('2026-05-01', '19:00', 'UTC')).toBe('2026-05-01T19:00:00.000Z');
    expect(iso('2026-05-01', '19:00', 'Asia/Kolkata')).toBe('2026-05-01T13:30:00.000Z');
  });

  describe('Europe/London spring forward 2026-03-29 (01:00 → 02:00)', () => {
    const tz = 'Europe/London';
    it('is exact either side of the gap', () => {
      expect(iso('2026-03-29', '00:30', tz)).toBe('2026-03-29T00:30:00.000Z');
      expect(iso('2026-03-29', '00:59', tz)).toBe('2026-03-29T00:59:00.000Z');
      expect(iso('2026-03-29', '02:00', tz)).toBe('2026-03-29T01:00:00.000Z');
      expect(iso('2026-03-29', '02:30', tz)).toBe('2026-03-29T01:30:00.000Z');
      expect(iso('2026-03-29', '19:00', tz)).toBe('2026-03-29T18:00:00.000Z');
    });

    it.each(['01:00', '01:30', '01:59'])('rejects %s as nonexistent', (time) => {
      expectValidationError(() => localToInstant('2026-03-29', time, tz), {
        field: 'time',
        reason: 'nonexistent_local_time',
      });
      expect(tryLocalToInstant('2026-03-29', time, tz)).toBeNull();
    });

    it('lenient conversion pushes a gap time forward', () => {
      expect(localToInstantLenient('2026-03-29', '01:30', tz).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    });
  });

  describe('Europe/London fall back 2026-10-25 (01:00–02:00 twice)', () => {
    const tz = 'Europe/London';
    it('resolves an ambiguous time to the first occurrence (still BST)', () => {
      expect(iso('2026-10-25', '01:00', tz)).toBe('2026-10-25T00:00:00.000Z');
      expect(iso('2026-10-25', '01:30', tz)).toBe('2026-10-25T00:30:00.000Z');
      expect(iso('2026-10-25', '01:59', tz)).toBe('2026-10-25T00:59:00.000Z');
    });
    it('is exact either side of the overlap', () => {
      expect(iso('2026-10-25', '00:30', tz)).toBe('2026-10-24T23:30:00.000Z');
      expect(iso('2026-10-25', '02:00', tz)).toBe('2026-10-25T02:00:00.000Z');
      expect(iso('2026-10-25', '19:00', tz)).toBe('2026-10-25T19:00:00.000Z');
    });
  });

  describe('America/New_York', () => {
    const tz = 'America/New_York';
    it('spring forward 2026-03-08 (02:00 → 03:00)', () => {
      expect(iso('2026-03-08', '01:30', tz)).toBe('2026-03-08T06:30:00.000Z');
      expect(iso('2026-03-08', '03:00', tz)).toBe('2026-03-08T07:00:00.000Z');
      expect(iso('2026-03-08', '19:00', tz)).toBe('2026-03-08T23:00:00.000Z');
      expectValidationError(() => localToInstant('2026-03-08', '02:30', tz), {
        field: 'time',
        reason: 'nonexistent_local_time',
      });
    });
    it('fall back 2026-11-01 (01:00–02:00 twice) → first occurrence', () => {
      expect(iso('2026-11-01', '00:30', tz)).toBe('2026-11-01T04:30:00.000Z');
      expect(iso('2026-11-01', '01:30', tz)).toBe('2026-11-01T05:30:00.000Z'); // EDT, not 06:30Z
      expect(iso('2026-11-01', '02:00', tz)).toBe('2026-11-01T07:00:00.000Z');
      expect(iso('2026-11-01', '19:00', tz)).toBe('2026-11-02T00:00:00.000Z');
    });
  });

  it('rejects bad input with the offending field', () => {
    expectValidationError(() => localToInstant('2026-02-30', '19:00', 'UTC'), { field: 'date' });
    expectValidationError(() => localToInstant('2026-05-01', '7pm', 'UTC'), { field: 'time' });
    expectValidationError(() => localToInstant('2026-05-01', '19:00', 'Mars/Olympus'), { field: 'timezone' });
    expect(isValidTimezone('Europe/London')).toBe(true);
    expect(isValidTimezone('Not/AZone')).toBe(false);
    expect(isValidTimezone('')).toBe(false);
  });
});

describe('instantToLocal', () => {
  it('round-trips and handles both sides of the DST overlap', () => {
    expect(instantToLocal(new Date('2026-05-01T18:00:00Z'), 'Europe/London')).toEqual({ date: '2026-05-01', time: '19:00' });
    expect(instantToLocal(new Date('2026-10-25T00:30:00Z'), 'Europe/London')).toEqual({ date: '2026-10-25', time: '01:30' });
    expect(instantToLocal(new Date('2026-10-25T01:30:00Z'), 'Europe/London')).toEqual({ date: '2026-10-25', time: '01:30' });
    expect(instantToLocal(new Date('2026-11-02T00:00:00Z'), 'America/New_York')).toEqual({ date: '2026-11-01', time: '19:00' });
    expect(instantToLocal(new Date('2026-05-01T23:59:59.999Z'), 'UTC')).toEqual({ date: '2026-05-01', time: '23:59' });
  });

  it('agrees with luxon for every hour (and odd instants) of a year in zones with DST, odd offsets and none', () => {
    const luxon = (ts: number, tz: string): string => {
      const dt = DateTime.fromMillis(ts, { zone: tz });
      return `${dt.toFormat('yyyy-MM-dd')} ${dt.toFormat('HH:mm')}`;
    };
    const zones = ['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns', 'UTC', 'Etc/UTC', 'Africa/Monrovia'];
    for (const tz of zones) {
      const start = Date.UTC(2026, 0, 1);
      const ours: string[] = [];
      const theirs: string[] = [];
      for (let ts = start; ts < start + 366 * 24 * 3_600_000; ts += 3 * 3_600_000 + 61_001) {
        const local = instantToLocal(new Date(ts), tz);
        ours.push(`${tz} ${ts} ${local.date} ${local.time}`);
        theirs.push(`${tz} ${ts} ${luxon(ts, tz)}`);
      }
      expect(ours).toEqual(theirs);
    }
    // Offsets in fractions of a minute (Monrovia before 1972), 4-digit years at both ends, and beyond them.
    for (const [iso, tz] of [['1960-06-01T00:30:00Z', 'Africa/Monrovia'], ['0001-01-01T00:00:00Z', 'UTC'], ['9999-12-31T23:59:00Z', 'UTC'], ['+010000-01-01T00:00:00Z', 'UTC']]) {
      const ts = Date.parse(iso!);
      const local = instantToLocal(new Date(ts), tz!);
      expect(`${local.date} ${local.time}`).toBe(luxon(ts, tz!));
    }
    expect(instantToLocal(new Date(NaN), 'UTC')).toEqual({ date: 'Invalid DateTime', time: 'Invalid DateTime' });
  });
});

describe('instantToLocalDate', () => {
  it('agrees with luxon for every hour (and odd instants) of a year in zones with DST, odd offsets and none', () => {
    const zones = ['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns', 'UTC', 'Etc/UTC', 'Africa/Monrovia'];
    for (const tz of zones) {
      const start = Date.UTC(2026, 0, 1);
      for (let ts = start; ts < start + 366 * 24 * 3_600_000; ts += 3 * 3_600_000 + 61_001) {
        const expected = DateTime.fromMillis(ts, { zone: tz }).toISODate();
        expect(`${tz} ${ts} ${instantToLocalDate(new Date(ts), tz)}`).toBe(`${tz} ${ts} ${expected}`);
      }
    }
    // Before 1972 Monrovia ran 44 min 30 s behind UTC: offsets in fractions of a minute.
    const ts = Date.UTC(1960, 5, 1, 0, 30);
    expect(instantToLocalDate(new Date(ts), 'Africa/Monrovia')).toBe(DateTime.fromMillis(ts, { zone: 'Africa/Monrovia' }).toISODate());
  });

  it('converts local times to the same instants as with luxon\'s offsets around DST changes', () => {
    // The rule of localToInstant, on luxon's own offsets: the earliest instant whose offset reads back the wall clock.
    const reference = (date: string, time: string, tz: string): number | null => {
      const zone = IANAZone.create(tz);
      const wall = Date.parse(`${date}T${time}:00Z`);
      const found = [wall - 86_400_000, wall, wall + 86_400_000]
        .map((t) => wall - zone.offset(t) * 60_000)
        .filter((ts) => wall - zone.offset(ts) * 60_000 === ts);
      return found.length ? Math.min(...found) : null;
    };
    for (const [tz, date] of [['Europe/London', '2026-03-29'], ['Europe/London', '2026-10-25'], ['America/New_York', '2026-11-01'], ['Australia/Lord_Howe', '2026-04-05'], ['Asia/Kathmandu', '2026-06-01']] as const) {
      for (let m = 0; m < 24 * 60; m += 15) {
        const time = formatTime(m);
        expect(`${tz} ${date} ${time} ${tryLocalToInstant(date, time, tz)?.getTime() ?? null}`).toBe(`${tz} ${date} ${time} ${reference(date, time, tz)}`);
      }
    }
  });
});
