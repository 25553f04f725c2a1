import { formatDate, formatInstant, formatTime, textOn } from '../../web/src/guest/format';

/** WCAG 2 relative luminance and contrast ratio, written out here independently of the widget's code. */
const channel = (c: number) => {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
};
const luminance = (hex: string) => {
  const n = parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
};
const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
};

/** The widget themed by `theme.accent` (issue 14: accessible, contrast): text on the accent is white or near-black. */
describe('text on the venue\'s accent', () => {
  it('is whichever of white and #111111 contrasts more, for every colour of a 16-step grid', () => {
    const worse: string[] = [];
    for (let r = 0; r < 256; r += 17) for (let g = 0; g < 256; g += 17) for (let b = 0; b < 256; b += 17) {
      const accent = `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
      const chosen = textOn(accent);
      const other = chosen === '#ffffff' ? '#111111' : '#ffffff';
      expect(['#ffffff', '#111111']).toContain(chosen);
      if (contrast(accent, chosen) < contrast(accent, other)) worse.push(`${accent}: ${chosen} ${contrast(accent, chosen).toFixed(2)} < ${contrast(accent, other).toFixed(2)}`);
    }
    expect(worse).toEqual([]);
  });

  it('reaches WCAG AA for normal text (4.5:1) on the default accent and on typical brand colours', () => {
    for (const accent of ['#1f6feb', '#7a1f5c', '#aa3300', '#ffcc00', '#00a86b', '#000000', '#ffffff', '#808080']) {
      expect(`${accent} ${contrast(accent, textOn(accent)) >= 4.5}`).toBe(`${accent} true`);
    }
  });
});

/** The widget and the manage page write dates and times in the venue's zone, as its country does (issue 14). */
describe('dates and times on the guest pages', () => {
  it('are the venue\'s: its country\'s clock and date order, instants in its time zone', () => {
    expect(formatTime('19:00', { timezone: 'Europe/London', country: 'GB' })).toBe('19:00');
    expect(formatTime('19:00', { timezone: 'America/New_York', country: 'US' }).replace(/\s/g, ' ')).toBe('7:00 PM');
    expect(formatDate('2026-07-04', { timezone: 'America/New_York', country: 'US' })).toBe('Saturday, July 4, 2026');
    expect(formatDate('2026-07-04', { timezone: 'Europe/London', country: 'GB' })).toBe('Saturday, 4 July 2026');
    // One instant (a change deadline), in each venue's own zone.
    const deadline = '2026-07-04T23:30:00.000Z';
    expect(formatInstant(deadline, { timezone: 'Europe/London', country: 'GB' })).toMatch(/^Sunday,? 5 July 2026.* 00:30$/);
    expect(formatInstant(deadline, { timezone: 'America/Los_Angeles', country: 'US' }).replace(/\s/g, ' ')).toMatch(/^Saturday, July 4, 2026.* 4:30 PM$/);
  });

});
