import { formatWhen, type EmailVenue } from '../../src/modules/notifications/templates';

/** Emails' dates and times (formatWhen): each venue's own zone and conventions, however many venues a process writes for. */
describe('email dates and times', () => {
  const venue = (timezone: string, country: string | null): EmailVenue => ({
    name: 'V', slug: 'v', timezone, country, cancellationHours: 24, policiesText: '', accent: '#000000',
  });
  const expected = (locale: string, timeZone: string, at: string) => ({
    date: new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone }).format(new Date(at)),
    time: new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(new Date(at)),
  });

  it('formats each venue in its own zone and locale, in any order', () => {
    const at = '2027-07-02T18:00:00.000Z';
    const london = venue('Europe/London', 'GB');
    const newYork = venue('America/New_York', 'US');
    const tokyo = venue('Asia/Tokyo', null);
    for (let round = 0; round < 2; round++) {
      expect(formatWhen(london, at)).toMatchObject({ ...expected('en-GB', 'Europe/London', at), time: '19:00' });
      expect(formatWhen(newYork, at)).toMatchObject(expected('en-US', 'America/New_York', at));
      expect(formatWhen(newYork, at).time).toMatch(/^2:00\sPM$/);
      // No country: British conventions, the venue's zone (the next day in Tokyo).
      expect(formatWhen(tokyo, at)).toMatchObject({ ...expected('en-GB', 'Asia/Tokyo', at), time: '03:00' });
      expect(formatWhen(tokyo, at).date).toMatch(/Saturday/);
    }
    const when = formatWhen(london, '2027-12-24T20:30:00.000Z');
    expect(when).toEqual({ ...expected('en-GB', 'Europe/London', '2027-12-24T20:30:00.000Z'), both: `${when.date} at 20:30` });
  });
});
