import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BOOKING_STATUSES, BOOKING_TRANSITIONS as SERVER, holdsTable } from '../../src/modules/diary/booking-statuses';
import { isInactive, statusActions } from '../../web/src/booking-status';
import { sourceBadge, timeLeft } from '../../web/src/pages/diary/diary-model';
import { formatClock, formatMoney, minutesFromDayStart, todayIn, uses12h } from '../../web/src/format';

/** The web app offers the server's status machine (src/modules/diary/booking-statuses.ts, imported, not copied). */
describe('the web app\'s booking status actions', () => {
  it.each([...BOOKING_STATUSES])('offers from %s exactly the transitions the server allows, but expiry (the server\'s own)', (status) => {
    expect(statusActions(status).map((a) => a.to).sort()).toEqual(SERVER[status].filter((to) => to !== 'expired').sort());
    expect(isInactive(status)).toBe(!holdsTable(status));
  });

  it('keeps one definition of the transitions: no copy in web/ or src/', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? (e.name === 'node_modules' || e.name === 'dist' ? [] : files(p)) : /\.tsx?$/.test(e.name) ? [p] : [];
      });
    const root = path.join(__dirname, '..', '..');
    const defining = [...files(path.join(root, 'src')), ...files(path.join(root, 'web'))]
      .filter((f) => /\bconfirmed:\s*\[\s*'seated'/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(root, f));
    expect(defining).toEqual(['src/modules/diary/booking-statuses.ts']);
  });

  it('names the host\'s actions and asks twice before cancel and no-show', () => {
    expect(statusActions('confirmed')).toEqual([
      { to: 'seated', label: 'Seat', confirm: false },
      { to: 'cancelled', label: 'Cancel booking', confirm: true },
      { to: 'no_show', label: 'No-show', confirm: true },
    ]);
    expect(statusActions('seated').map((a) => a.label)).toEqual(['Complete']);
    expect(statusActions('completed')).toEqual([]);
  });
});

describe('the web app\'s venue formats', () => {
  it('writes money in the currency\'s own minor unit', () => {
    expect(formatMoney(4250, 'GBP', { country: 'GB' })).toBe('£42.50');
    expect(formatMoney(4250, 'JPY', { country: 'JP' })).toBe('¥4,250');
    expect(formatMoney(4250, 'KWD', { country: 'KW' })).toMatch(/4\.250/);
  });

  it('uses 12 h clocks where the country does', () => {
    expect(uses12h({ country: 'US' })).toBe(true);
    expect(uses12h({ country: 'FR' })).toBe(false);
    expect(formatClock('19:30', { country: 'US' })).toBe('7:30 pm');
    expect(formatClock('00:05', { country: 'AU' })).toBe('12:05 am');
    expect(formatClock('19:30', { country: 'GB' })).toBe('19:30');
  });

  it('places instants on the venue-local day across a DST change', () => {
    // 2026-03-29: Europe/London springs forward at 01:00 UTC.
    expect(minutesFromDayStart(new Date('2026-03-29T18:00:00Z'), '2026-03-29', 'Europe/London')).toBe(19 * 60);
    expect(minutesFromDayStart(new Date('2026-03-28T23:30:00Z'), '2026-03-29', 'Europe/London')).toBe(-30);
    expect(todayIn('Pacific/Auckland', new Date('2026-05-01T13:00:00Z'))).toBe('2026-05-02');
  });
});

describe('requests (§11) in the web app', () => {
  it('approves or declines a request, and never offers expiry (the server does that)', () => {
    expect(statusActions('requested').map((a) => a.label)).toEqual(['Approve', 'Decline', 'Cancel booking']);
  });
});

describe('requests and sources in the diary', () => {
  const now = Date.parse('2026-05-01T12:00:00Z');
  const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();

  it('counts a request\'s time left down from expires_at', () => {
    expect(timeLeft(at(2 * 1440 + 3 * 60 + 59.5), now)).toBe('2 d 3 h left');
    expect(timeLeft(at(5 * 60 + 20), now)).toBe('5 h 20 min left');
    expect(timeLeft(at(5 * 60), now, true)).toBe('5h');
    expect(timeLeft(at(12.9), now)).toBe('12 min left');
    expect(timeLeft(at(0.5), now)).toBe('expiring now');
    expect(timeLeft(at(-10), now)).toBe('expiring now');
    expect(timeLeft(null, now)).toBeNull();
  });

  it('names channels and booking platforms, not the venue\'s own sources', () => {
    expect(sourceBadge('channel:Concierge Co')).toBe('Channel: Concierge Co');
    expect(sourceBadge('sevenrooms')).toBe('sevenrooms');
    expect(['api', 'widget', 'console'].map(sourceBadge)).toEqual([null, null, null]);
  });
});
