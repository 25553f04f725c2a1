/** Dates and times as the venue's guests read them: its time zone, its country's conventions. */

export interface Zone {
  timezone: string;
  country?: string | null;
}

const locale = (z: Zone) => (z.country ? `en-${z.country}` : 'en-GB');

/** Today in the venue's time zone, YYYY-MM-DD. */
export function todayIn(timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A venue-local date (no zone can move it: read at noon UTC). */
export function formatDate(date: string, z: Zone, style: 'full' | 'medium' = 'full'): string {
  return new Intl.DateTimeFormat(locale(z), { dateStyle: style, timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`));
}

export function formatMonth(date: string, z: Zone): string {
  return new Intl.DateTimeFormat(locale(z), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`));
}

/** A venue-local HH:MM as its country writes times (19:00 or 7:00 PM). */
export function formatTime(time: string, z: Zone): string {
  const [h, m] = time.split(':').map(Number);
  return new Intl.DateTimeFormat(locale(z), { timeStyle: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, 0, 1, h, m)));
}

/** An instant in the venue's zone, e.g. a change deadline. */
export function formatInstant(iso: string, z: Zone): string {
  return new Intl.DateTimeFormat(locale(z), { dateStyle: 'full', timeStyle: 'short', timeZone: z.timezone }).format(new Date(iso));
}

export const guests = (n: number) => `${n} ${n === 1 ? 'guest' : 'guests'}`;

/** White or near-black text, whichever reads better on the venue's accent (WCAG relative luminance). */
export function textOn(hex: string): string {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) return '#ffffff';
  const n = parseInt(m[1], 16);
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const L = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  // Against the dark text's own luminance (#111111), not pure black's 0: with 0 mid greens and blues got
  // #111111 where white contrasts more (#008844: 4.14 against white's 4.56, below WCAG AA instead of above).
  const dark = lin(0x11);
  return (1.05 / (L + 0.05)) >= ((L + 0.05) / (dark + 0.05)) ? '#ffffff' : '#111111';
}

export function applyTheme(accent: string | undefined): void {
  if (!accent || !/^#[0-9a-fA-F]{6}$/.test(accent)) return;
  document.documentElement.style.setProperty('--accent', accent);
  document.documentElement.style.setProperty('--on-accent', textOn(accent));
}
