/** Dates and times in the venue's time zone; 24 h or 12 h as the venue's country writes them. */
export function formatInstant(iso: string, venue: { timezone: string; country: string | null } | null): string {
  const locale = venue?.country ? `en-${venue.country}` : undefined;
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium', timeStyle: 'short', timeZone: venue?.timezone,
  }).format(new Date(iso));
}
