import { claimedDates } from '../../src/modules/diary/diary-locks';
import { holdsTime, saleDiaryDates } from '../../src/modules/sales/match-query';

const MIN = 60_000;

/**
 * The sale side of the diary lock: a sale's transaction locks saleDiaryDates(t), a booking writer locks the
 * venue-local dates of its sitting (claimedDates). They serialise only if every booking that can hold the
 * sale shares a date with it, in whatever zone the venue keeps its diary.
 */
describe('saleDiaryDates', () => {
  // The extremes of UTC offsets, half-hour and 45-minute zones, and zones with DST changes in the range.
  const zones = ['Pacific/Kiritimati', 'Etc/GMT+12', 'Europe/London', 'America/Los_Angeles', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/St_Johns'];
  // Every quarter of an hour over two days around the spring change in Europe and the US.
  const times = Array.from({ length: 2 * 96 }, (_, i) => new Date(Date.parse('2026-03-28T00:00:00.000Z') + i * 15 * MIN));

  it.each(zones)('shares a date with every booking that holds the sale, in %s', (zone) => {
    for (const t of times) {
      const dates = new Set(saleDiaryDates(t));
      const at = t.getTime();
      // The bookings at the edges of the window: starting 30 min after the sale, ending 2 h before it; short and long.
      const bookings = [15, 90, 600].flatMap((minutes) => [
        { startAt: new Date(at + 30 * MIN), endAt: new Date(at + 30 * MIN + minutes * MIN) },
        { startAt: new Date(at - 2 * 60 * MIN - minutes * MIN), endAt: new Date(at - 2 * 60 * MIN) },
      ]);
      for (const b of bookings) {
        expect(holdsTime(b, t)).toBe(true);
        const locked = claimedDates([{ from: b.startAt, to: b.endAt }], zone);
        expect(locked.filter((d) => dates.has(d))).not.toEqual([]);
      }
    }
  });

  it('locks two or three dates', () => {
    expect(saleDiaryDates(new Date('2026-05-01T19:40:00.000Z'))).toEqual(['2026-05-01', '2026-05-02']);
    expect(saleDiaryDates(new Date('2026-05-01T12:00:00.000Z'))).toEqual(['2026-04-30', '2026-05-01', '2026-05-02']);
  });
});
