/**
 * The emails' words (CONTRACT §10.3): one function per kind, each giving a subject, a text part and an HTML
 * part from the same facts. Plain TypeScript: every value from outside goes through `esc` in HTML (and
 * links through `attr`); the text part needs no escaping. Dates and times are the venue's: its time zone,
 * and the date order and clock of its country (`en-<country>`: English words, local conventions). A
 * template sees one venue's facts only.
 */
import type { EmailKind } from './kinds';

export interface EmailVenue {
  name: string;
  slug: string;
  timezone: string;
  country: string | null;
  cancellationHours: number;
  policiesText: string;
  /** theme.accent: the button colour. */
  accent: string;
}

export interface EmailBooking {
  reference: string;
  status: string;
  /** Venue-local. */
  date: string;
  time: string;
  /** ISO instant of the start. */
  startAt: string;
  partySize: number;
  guestName: string | null;
  guestEmail: string | null;
  guestPhone: string | null;
  notes: string | null;
  expiresAt?: string | null;
  declineReason?: string | null;
}

export interface EmailEnquiry {
  name: string;
  email: string;
  phone: string | null;
  date: string | null;
  partySize: number | null;
  message: string;
}

export interface EmailFacts {
  kind: EmailKind;
  venue: EmailVenue;
  booking?: EmailBooking | null;
  /** booking_moved: where it was. */
  previous?: { date: string; time: string; startAt?: string } | null;
  /** The guest's link: the manage page, or the review page for review_invitation. */
  link?: string | null;
  /** Venue emails: the page in the venue app (the diary day). */
  appLink?: string | null;
  enquiry?: EmailEnquiry | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe inside HTML elements and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** A link for an href: only http(s) URLs, escaped. */
function attr(url: string): string {
  return /^https?:\/\//i.test(url) ? esc(url) : '#';
}

function localeOf(venue: EmailVenue): string {
  const tag = venue.country ? `en-${venue.country.toUpperCase()}` : 'en-GB';
  let locale = locales.get(tag);
  if (locale === undefined) {
    try {
      locale = Intl.DateTimeFormat.supportedLocalesOf([tag]).length ? tag : 'en-GB';
    } catch {
      locale = 'en-GB';
    }
    locales.set(tag, locale);
  }
  return locale;
}

// Building an Intl.DateTimeFormat costs far more than formatting with one (about 0.3 ms against a few µs):
// each is made once per locale, style and zone and kept (a handful per venue the process writes for).
const locales = new Map<string, string>();
const formats = new Map<string, Intl.DateTimeFormat>();
const FORMATS_MAX = 1000;

function formatOf(locale: string, style: 'date' | 'time', timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}\u0000${style}\u0000${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, style === 'date' ? { dateStyle: 'full', timeZone } : { timeStyle: 'short', timeZone });
    if (formats.size >= FORMATS_MAX) formats.clear();
    formats.set(key, format);
  }
  return format;
}

/** "Friday, 1 May 2026 at 19:00" in the venue's zone and conventions. */
export function formatWhen(venue: EmailVenue, startAt: string): { date: string; time: string; both: string } {
  const at = new Date(startAt);
  const locale = localeOf(venue);
  const date = formatOf(locale, 'date', venue.timezone).format(at);
  const time = formatOf(locale, 'time', venue.timezone).format(at);
  return { date, time, both: `${date} at ${time}` };
}

/** A venue-local date alone (an enquiry's wished-for day), at noon so no zone moves it. */
function formatDate(venue: EmailVenue, date: string): string {
  return formatOf(localeOf(venue), 'date', 'UTC').format(new Date(`${date}T12:00:00Z`));
}

const guests = (n: number) => `${n} ${n === 1 ? 'guest' : 'guests'}`;
const firstName = (name: string | null) => (name ?? '').trim().split(/\s+/)[0] || 'there';

/** One email's body: paragraphs, a facts table, an optional button, the policies footer. */
interface Body {
  subject: string;
  greeting: string;
  paragraphs: string[];
  facts: [string, string][];
  button?: { label: string; url: string } | null;
  /** Guest emails: the venue's cancellation rule and its policies text. */
  policies: boolean;
}

function policiesLines(venue: EmailVenue): string[] {
  const lines: string[] = [];
  if (venue.cancellationHours > 0) {
    lines.push(`Changes and cancellations online are possible until ${venue.cancellationHours} hours before your booking; after that, please contact ${venue.name}.`);
  }
  if (venue.policiesText.trim()) lines.push(venue.policiesText.trim());
  return lines;
}

function layout(venue: EmailVenue, b: Body): RenderedEmail {
  const policies = b.policies ? policiesLines(venue) : [];
  const text = [
    b.greeting,
    '',
    ...b.paragraphs.flatMap((p) => [p, '']),
    ...b.facts.map(([k, v]) => `${k}: ${v}`),
    ...(b.facts.length ? [''] : []),
    ...(b.button ? [`${b.button.label}: ${b.button.url}`, ''] : []),
    ...(policies.length ? ['Policies', ...policies, ''] : []),
    `— ${venue.name}`,
    '',
  ].join('\n');

  const accent = /^#[0-9a-fA-F]{3,8}$/.test(venue.accent) ? venue.accent : '#1f6feb';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(b.subject)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1b1f24">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 0"><tr><td align="center">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="max-width:560px;width:100%;background:#ffffff;border-radius:8px;padding:28px">
<tr><td>
<h1 style="font-size:20px;margin:0 0 16px">${esc(venue.name)}</h1>
<p style="margin:0 0 12px">${esc(b.greeting)}</p>
${b.paragraphs.map((p) => `<p style="margin:0 0 12px;line-height:1.5">${esc(p)}</p>`).join('\n')}
${b.facts.length ? `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 16px;border-collapse:collapse">
${b.facts.map(([k, v]) => `<tr><th align="left" style="padding:4px 16px 4px 0;font-weight:600;vertical-align:top">${esc(k)}</th><td style="padding:4px 0;white-space:pre-wrap">${esc(v)}</td></tr>`).join('\n')}
</table>` : ''}
${b.button ? `<p style="margin:16px 0"><a href="${attr(b.button.url)}" style="display:inline-block;background:${accent};color:#ffffff;text-decoration:none;padding:10px 18px;border-radius:6px;font-weight:600">${esc(b.button.label)}</a></p>
<p style="margin:0 0 16px;font-size:13px;color:#57606a">Or open this link: <a href="${attr(b.button.url)}" style="color:#57606a">${esc(b.button.url)}</a></p>` : ''}
${policies.length ? `<h2 style="font-size:15px;margin:20px 0 6px">Policies</h2>
${policies.map((p) => `<p style="margin:0 0 8px;font-size:14px;line-height:1.5;white-space:pre-wrap">${esc(p)}</p>`).join('\n')}` : ''}
<p style="margin:24px 0 0;font-size:13px;color:#57606a">— ${esc(venue.name)}</p>
</td></tr></table>
</td></tr></table>
</body></html>
`;
  return { subject: b.subject, text, html };
}

type When = ReturnType<typeof formatWhen>;

/** The booking an email is about, and when it is in the venue's words: formatted once, said in its sentence and its facts. */
function aboutBooking(facts: EmailFacts, kind: EmailKind): { b: EmailBooking; when: When } {
  const b = need(facts.booking, 'a booking', kind);
  return { b, when: formatWhen(facts.venue, b.startAt) };
}

function bookingFacts(booking: EmailBooking, when: When): [string, string][] {
  return [
    ['Reference', booking.reference],
    ['Date', when.date],
    ['Time', when.time],
    ['Party', guests(booking.partySize)],
  ];
}

function need<T>(value: T | null | undefined, what: string, kind: EmailKind): T {
  if (value === null || value === undefined) throw new Error(`${kind} email needs ${what}`);
  return value;
}

const manageButton = (link: string | null | undefined) => (link ? { label: 'View or change your booking', url: link } : null);

/** The email of a kind from its facts. Throws when a fact the kind needs is missing (a programming error). */
export function renderEmail(facts: EmailFacts): RenderedEmail {
  const { kind, venue } = facts;
  const v = venue.name;
  switch (kind) {
    case 'booking_confirmed': {
      const { b, when } = aboutBooking(facts, kind);
      return layout(venue, {
        subject: `Your booking at ${v} is confirmed (${b.reference})`,
        greeting: `Hello ${firstName(b.guestName)},`,
        paragraphs: [`Your table at ${v} is booked for ${when.both}. We look forward to seeing you.`],
        facts: bookingFacts(b, when),
        button: manageButton(facts.link),
        policies: true,
      });
    }
    case 'booking_moved': {
      const { b, when } = aboutBooking(facts, kind);
      const prev = facts.previous;
      const was = prev?.startAt ? formatWhen(venue, prev.startAt).both : prev ? `${prev.date} ${prev.time}` : null;
      return layout(venue, {
        subject: `Your booking at ${v} has moved (${b.reference})`,
        greeting: `Hello ${firstName(b.guestName)},`,
        paragraphs: [`Your booking at ${v} is now for ${when.both}${was ? ` (it was ${was})` : ''}.`],
        facts: bookingFacts(b, when),
        button: manageButton(facts.link),
        policies: true,
      });
    }
    case 'booking_cancelled': {
      const { b, when } = aboutBooking(facts, kind);
      return layout(venue, {
        subject: `Your booking at ${v} is cancelled (${b.reference})`,
        greeting: `Hello ${firstName(b.guestName)},`,
        paragraphs: [`Your booking at ${v} for ${when.both} is cancelled. We hope to welcome you another time.`],
        facts: bookingFacts(b, when),
        button: facts.link ? { label: 'View your booking', url: facts.link } : null,
        policies: false,
      });
    }
    case 'request_received': {
      const { b, when } = aboutBooking(facts, kind);
      const until = b.expiresAt ? ` If ${v} has not answered by ${formatWhen(venue, b.expiresAt).both}, the request lapses.` : '';
      return layout(venue, {
        subject: `We have your request at ${v} (${b.reference})`,
        greeting: `Hello ${firstName(b.guestName)},`,
        paragraphs: [`Thank you: ${v} has your booking request for ${when.both}. It is not confirmed yet; you will get an email as soon as the venue answers.${until}`],
        facts: bookingFacts(b, when),
        button: facts.link ? { label: 'View or cancel your request', url: facts.link } : null,
        policies: true,
      });
    }
    case 'request_approved': {
      const { b, when } = aboutBooking(facts, kind);
      return layout(venue, {
        subject: `${v} has confirmed your booking (${b.reference})`,
        greeting: `Hello ${firstName(b.guestName)},`,
        paragraphs: [`Good news: ${v} has accepted your request. Your table is booked for ${when.both}.`],
        facts: bookingFacts(b, when),
        button: manageButton(facts.link),
        policies: true,
      });
    }
    case 'request_declined': {
      const { b, when } = aboutBooking(facts, kind);
      return layout(venue, {
        subject: `${v} could not accept your request (${b.reference})`,
        greeting: `Hello ${firstName(b.guestName)},`,
        paragraphs: [
          `We are sorry: ${v} cannot accept your request for ${when.both}.`,
          ...(b.declineReason ? [`The venue says: ${b.declineReason}`] : []),
        ],
        facts: bookingFacts(b, when),
        button: null,
        policies: false,
      });
    }
    case 'request_expired': {
      const { b, when } = aboutBooking(facts, kind);
      return layout(venue, {
        subject: `Your request at ${v} has lapsed (${b.reference})`,
        greeting: `Hello ${firstName(b.guestName)},`,
        paragraphs: [`${v} did not answer your request for ${when.both} in time, so it has lapsed and nothing is booked. You are welcome to try another time.`],
        facts: bookingFacts(b, when),
        button: null,
        policies: false,
      });
    }
    case 'review_invitation': {
      const { b, when } = aboutBooking(facts, kind);
      return layout(venue, {
        subject: `How was your visit to ${v}?`,
        greeting: `Hello ${firstName(b.guestName)},`,
        paragraphs: [`Thank you for visiting ${v} on ${when.date}. Would you tell us how it was? It takes a minute; the link works for 30 days.`],
        facts: [],
        button: { label: 'Write a review', url: need(facts.link, 'a review link', kind) },
        policies: false,
      });
    }
    case 'request_waiting': {
      const { b, when } = aboutBooking(facts, kind);
      return layout(venue, {
        subject: `New booking request: ${guests(b.partySize)} on ${b.date} at ${b.time} (${b.reference})`,
        greeting: 'Hello,',
        paragraphs: [
          `A booking request is waiting for your answer: ${guests(b.partySize)} for ${when.both}.`,
          ...(b.expiresAt ? [`Answer by ${formatWhen(venue, b.expiresAt).both}, or it lapses by itself.`] : []),
        ],
        facts: [
          ...bookingFacts(b, when),
          ['Name', b.guestName ?? ''],
          ...(b.guestEmail ? [['Email', b.guestEmail] as [string, string]] : []),
          ...(b.guestPhone ? [['Phone', b.guestPhone] as [string, string]] : []),
          ...(b.notes ? [['Notes', b.notes] as [string, string]] : []),
        ],
        button: facts.appLink ? { label: 'Open the diary', url: facts.appLink } : null,
        policies: false,
      });
    }
    case 'enquiry_received': {
      const e = need(facts.enquiry, 'an enquiry', kind);
      return layout(venue, {
        subject: `New enquiry from ${e.name}${e.partySize ? ` (${guests(e.partySize)})` : ''}`,
        greeting: 'Hello,',
        paragraphs: [`${e.name} sent an enquiry through your booking widget. Reply to this email to answer them.`],
        facts: [
          ['Name', e.name],
          ['Email', e.email],
          ...(e.phone ? [['Phone', e.phone] as [string, string]] : []),
          ...(e.date ? [['Date', formatDate(venue, e.date)] as [string, string]] : []),
          ...(e.partySize ? [['Party', guests(e.partySize)] as [string, string]] : []),
          ['Message', e.message],
        ],
        button: null,
        policies: false,
      });
    }
  }
}
