/**
 * The outbox → email rows (the email subscriber's work, run by the outbox relay in the worker role).
 *
 * For each committed outbox row that brings emails (BOOKING_EVENT_KINDS, and `email.requested` from the
 * module's door) it decides who gets what, renders the email once (templates.ts), and writes the email
 * rows — with any manage link they carry minted in the same transaction — then queues one send job per
 * email (jobId = email id). Relaying a row twice is harmless: an email's `source_key` is the outbox
 * message id and the kind, so a row already turned into emails is only re-queued (its job may have been
 * lost with the pass that wrote it). Without SMTP_URL the rows are written `kept` and no job is queued.
 */
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { newManageToken, manageUrl } from '../diary';
import { venueSettings, type VenueSettings } from '../venues';
import { newId } from '../../platform/ids';
import type { Logger } from '../../platform/logger';
import type { SecretBox } from '../../platform/secret-box';
import type { RetrySchedule } from '../../platform/retry-schedule';
import { BOOKING_EVENT_KINDS, EMAIL_KINDS, VENUE_KINDS, type EmailKind } from './kinds';
import { renderEmail, type EmailBooking, type EmailEnquiry, type EmailVenue } from './templates';

/** What the relay needs (built once by the module's door). */
export interface EmailRelayContext {
  dataSource: DataSource;
  queue: Queue<EmailJobData>;
  secretBox: SecretBox;
  schedule: RetrySchedule;
  publicUrl: string;
  /** SMTP_URL is set: emails are queued and sent; otherwise kept. */
  sending: boolean;
  /** The domain of Message-IDs (MAIL_FROM's). */
  messageIdDomain: string;
  logger: Logger;
}

export interface EmailJobData {
  email_id: string;
}

/** Custom backoff type of send jobs: the delay comes from EMAIL_RETRY_SCHEDULE. */
export const EMAIL_BACKOFF_TYPE = 'email-schedule';

export function emailJobOptions(emailId: string, schedule: RetrySchedule, attempts = schedule.attempts) {
  return { jobId: emailId, attempts: Math.max(1, attempts), backoff: { type: EMAIL_BACKOFF_TYPE }, removeOnComplete: true };
}

/** An outbox row as the relay hands it over (events/relay.ts OutboxRow's fields used here). */
export interface RelayedRow {
  id: number;
  event: string;
}

interface OutboxRecord {
  id: number;
  message_id: string;
  venue_id: string;
  event: string;
  resource_id: string;
  payload: string;
  private_data: string | null;
}

interface VenueRow {
  id: string;
  name: string;
  slug: string;
  timezone: string;
  country: string | null;
  settings: string | object | null;
}

/** The booking as the outbox data (the API's booking view) or a read of the row gives it. */
interface BookingFacts extends EmailBooking {
  id: string;
  source: string;
}

/** One email to write: who, what, and how its link is made. */
interface Planned {
  sourceKey: string;
  venueId: string;
  kind: EmailKind;
  booking: BookingFacts | null;
  previous: { date: string; time: string; startAt?: string } | null;
  enquiry: EmailEnquiry | null;
  /** Explicit recipient (a door request); else the booking's guest or the venue's notification_email. */
  to: string | null;
  /** The manage link: a sealed raw token from the booking writer, or mint one. */
  manage: { sealed: string } | 'mint' | null;
  /** A sealed link from a door request (a review link). */
  sealedLink: string | null;
}

const MANAGE_LINK_KINDS: ReadonlySet<EmailKind> = new Set(['booking_confirmed', 'booking_moved', 'booking_cancelled', 'request_received', 'request_approved']);

/** Booking sources that are not a partner's name (§15 "Status values"). */
const OWN_SOURCES = new Set(['api', 'widget', 'console']);

export const EMAIL_EVENTS: ReadonlySet<string> = new Set([...Object.keys(BOOKING_EVENT_KINDS), 'email.requested']);

function bookingFromView(view: Record<string, any>): BookingFacts {
  const c = view.customer as { name?: string; email?: string | null; phone?: string | null } | null;
  return {
    id: String(view.id),
    reference: String(view.reference),
    status: String(view.status),
    date: String(view.date),
    time: String(view.time),
    startAt: String(view.start_at),
    partySize: Number(view.party_size),
    guestName: c?.name ?? null,
    guestEmail: c?.email ?? null,
    guestPhone: c?.phone ?? null,
    notes: (view.notes as string | null) ?? null,
    source: String(view.source ?? 'api'),
    expiresAt: (view.expires_at as string | null | undefined) ?? null,
    declineReason: (view.decline_reason as string | null | undefined) ?? null,
  };
}

const parse = (text: string | null): Record<string, any> => (text ? (JSON.parse(text) as Record<string, any>) : {});

/** The emails of these outbox rows (none for rows that bring none). */
function planRows(records: OutboxRecord[], logger: Logger): Planned[] {
  const out: Planned[] = [];
  for (const r of records) {
    let data: Record<string, any>;
    let priv: Record<string, any>;
    try {
      data = parse(r.payload);
      priv = parse(r.private_data);
    } catch (err) {
      // One unreadable row must not hold up the outbox: it brings no email.
      logger.error({ err: (err as Error).message, outbox_id: r.id }, 'outbox row unreadable: no email');
      continue;
    }
    if (r.event === 'email.requested') {
      const kind = data.kind as EmailKind;
      if (!EMAIL_KINDS.includes(kind)) continue;
      out.push({
        sourceKey: `${r.message_id}:${kind}`, venueId: r.venue_id, kind,
        booking: data.booking_id ? ({ id: String(data.booking_id) } as BookingFacts) : null,
        previous: null, enquiry: (data.enquiry as EmailEnquiry | undefined) ?? null, to: (data.to as string | null) ?? null,
        manage: MANAGE_LINK_KINDS.has(kind) && data.booking_id ? 'mint' : null,
        sealedLink: typeof priv.link === 'string' ? priv.link : null,
      });
      continue;
    }
    const kinds = BOOKING_EVENT_KINDS[r.event];
    if (!kinds) continue;
    const booking = bookingFromView(data);
    const previous = priv.previous as { date: string; time: string; start_at?: string } | undefined;
    for (const kind of kinds) {
      // A booking.updated is a "moved" email only when its date or time changed (party size or notes alone: none).
      if (kind === 'booking_moved' && (!previous || (previous.date === booking.date && previous.time === booking.time))) continue;
      out.push({
        sourceKey: `${r.message_id}:${kind}`, venueId: r.venue_id, kind, booking,
        previous: previous ? { date: previous.date, time: previous.time, startAt: previous.start_at } : null,
        enquiry: null, to: null,
        // The creation's row (booking.created, booking.requested) carries the token the booking writer minted
        // and answered as manage_url: its emails carry that link. Later rows have none: their emails mint one.
        manage: !MANAGE_LINK_KINDS.has(kind) ? null : typeof priv.manage_token === 'string' ? { sealed: priv.manage_token } : 'mint',
        sealedLink: null,
      });
    }
  }
  return out;
}

/**
 * Bookings named by door requests, read from their rows (with the guest), keyed by venue and id: a request
 * names its venue, and a booking of another venue is not its booking (a venue's email never carries
 * another venue's guest).
 */
async function loadBookings(ds: DataSource, ids: string[]): Promise<Map<string, BookingFacts>> {
  if (!ids.length) return new Map();
  const rows = (await ds.query(
    `SELECT b.id, b.venue_id, b.reference, b.status, b.date, b.time, b.start_at, b.party_size, b.notes, b.source,
            c.name AS guest_name, c.email AS guest_email, c.phone AS guest_phone
       FROM bookings b LEFT JOIN customers c ON c.id = b.customer_id WHERE b.id IN (?)`,
    [ids],
  )) as Record<string, any>[];
  return new Map(rows.map((r) => [bookingKey(r.venue_id as string, r.id as string), {
    id: r.id, reference: r.reference, status: r.status, date: r.date, time: r.time,
    startAt: (r.start_at as Date).toISOString(), partySize: Number(r.party_size), notes: r.notes, source: r.source,
    guestName: r.guest_name ?? null, guestEmail: r.guest_email ?? null, guestPhone: r.guest_phone ?? null,
  }]));
}

const bookingKey = (venueId: string, bookingId: string) => `${venueId}:${bookingId}`;

/**
 * Partners whose bookings send no guest email (§12, §15: a partner's `send_confirmation` false: the
 * platform emails its own guests).
 */
async function silentPartners(ds: DataSource, names: string[]): Promise<Set<string>> {
  if (!names.length) return new Set();
  const rows = (await ds.query('SELECT name FROM partners WHERE name IN (?) AND send_confirmation = 0', [names])) as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

function emailVenue(v: VenueRow, s: VenueSettings): EmailVenue {
  return {
    name: v.name, slug: v.slug, timezone: v.timezone, country: v.country, cancellationHours: s.cancellation_hours,
    policiesText: s.policies_text, accent: s.theme.accent,
  };
}

interface EmailRow {
  id: string;
  venueId: string;
  bookingId: string | null;
  kind: EmailKind;
  to: string;
  replyTo: string | null;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  sourceKey: string;
  status: 'queued' | 'kept';
  /** A manage token to store (its hash) with the email: the link the email carries. */
  mintHash: string | null;
}

/** Turns a pass's outbox rows into email rows and send jobs. Idempotent (see the file's comment). */
export async function relayEmails(ctx: EmailRelayContext, rows: readonly RelayedRow[], now: Date): Promise<number> {
  const ids = rows.filter((r) => EMAIL_EVENTS.has(r.event)).map((r) => r.id);
  if (!ids.length) return 0;
  const ds = ctx.dataSource;
  const records = (await ds.query(
    'SELECT id, message_id, venue_id, event, resource_id, payload, private_data FROM outbox WHERE id IN (?) ORDER BY id',
    [ids],
  )) as OutboxRecord[];
  const planned = planRows(records, ctx.logger);
  if (!planned.length) return 0;

  // Already written by an earlier pass (a crash before its rows were marked relayed): queue them again.
  const existing = (await ds.query('SELECT id, source_key, status FROM emails WHERE source_key IN (?)', [planned.map((p) => p.sourceKey)])) as {
    id: string; source_key: string; status: string;
  }[];
  const done = new Set(existing.map((e) => e.source_key));
  const todo = planned.filter((p) => !done.has(p.sourceKey));

  const venueIds = [...new Set(todo.map((p) => p.venueId))];
  const venues = venueIds.length
    ? new Map(((await ds.query(`SELECT id, name, slug, timezone, country, settings FROM venues WHERE id IN (?)`, [venueIds])) as VenueRow[]).map((v) => [v.id, v]))
    : new Map<string, VenueRow>();
  const bookings = await loadBookings(ds, [...new Set(todo.filter((p) => p.booking && !p.booking.reference).map((p) => p.booking!.id))]);
  for (const p of todo) {
    if (!p.booking || p.booking.reference) continue;
    const own = bookings.get(bookingKey(p.venueId, p.booking.id)) ?? null;
    if (!own) ctx.logger.warn({ source_key: p.sourceKey, kind: p.kind }, 'email request names no booking of its venue: no email');
    p.booking = own;
  }
  const partnerSources = [...new Set(todo.flatMap((p) => (p.booking && !OWN_SOURCES.has(p.booking.source) && !p.booking.source.startsWith('channel:') ? [p.booking.source] : [])))];
  const silent = await silentPartners(ds, partnerSources);

  const emails: EmailRow[] = [];
  // Each venue's settings read once per pass, not once per email.
  const settingsOf = new Map<string, VenueSettings>();
  for (const p of todo) {
    const venue = venues.get(p.venueId);
    if (!venue) continue; // the venue is gone: nobody to write for
    let settings = settingsOf.get(venue.id);
    if (!settings) {
      settings = venueSettings({ settings: typeof venue.settings === 'string' ? (JSON.parse(venue.settings) as object) : venue.settings });
      settingsOf.set(venue.id, settings);
    }
    const toVenue = VENUE_KINDS.has(p.kind);
    if (!toVenue && p.booking && silent.has(p.booking.source)) continue;
    const to = p.to ?? (toVenue ? settings.notification_email : p.booking?.guestEmail ?? null);
    if (!to) continue; // no guest email, or the venue has no notification_email: no email (§10.3, §15)
    if ((p.kind !== 'enquiry_received') && !p.booking) continue; // its booking is gone

    let link: string | null = null;
    let mintHash: string | null = null;
    if (p.manage && typeof p.manage === 'object') {
      try {
        link = manageUrl(ctx.publicUrl, ctx.secretBox.decrypt(p.manage.sealed));
      } catch {
        // ENCRYPTION_KEY changed since the booking: a new link instead.
        p.manage = 'mint';
      }
    }
    if (p.manage === 'mint') {
      const minted = newManageToken();
      link = manageUrl(ctx.publicUrl, minted.token);
      mintHash = minted.hash;
    }
    if (p.sealedLink) {
      try {
        link = ctx.secretBox.decrypt(p.sealedLink);
      } catch {
        ctx.logger.warn({ source_key: p.sourceKey }, 'email link cannot be unsealed (ENCRYPTION_KEY changed?): email not written');
        continue;
      }
    }
    let rendered;
    try {
      rendered = renderEmail({
        kind: p.kind, venue: emailVenue(venue, settings), booking: p.booking, previous: p.previous, link, enquiry: p.enquiry,
        appLink: p.booking ? `${ctx.publicUrl}/app/diary?date=${p.booking.date}` : null,
      });
    } catch (err) {
      ctx.logger.error({ err: (err as Error).message, source_key: p.sourceKey, kind: p.kind }, 'email not rendered');
      continue;
    }
    const id = newId('eml');
    const guestReply = p.kind === 'enquiry_received' ? p.enquiry?.email ?? null : p.booking?.guestEmail ?? null;
    emails.push({
      id, venueId: p.venueId, bookingId: p.booking?.id ?? null, kind: p.kind, to,
      replyTo: toVenue ? guestReply : settings.reply_to,
      subject: rendered.subject.slice(0, 300), text: rendered.text, html: rendered.html,
      messageId: `<${id}@${ctx.messageIdDomain}>`, sourceKey: p.sourceKey, status: ctx.sending ? 'queued' : 'kept', mintHash,
    });
  }

  if (emails.length) {
    await ds.transaction(async (em) => {
      for (const e of emails) {
        // The booking may be gone since (its venue deleted): then no token, and the email row is skipped below.
        if (e.mintHash) {
          await em.query('INSERT INTO booking_manage_tokens (token_hash, booking_id, created_at) SELECT ?, id, ? FROM bookings WHERE id = ?', [e.mintHash, now, e.bookingId]);
        }
      }
      // IGNORE: a row of a venue deleted meanwhile (its foreign key) is left out rather than failing the pass.
      await em.query(
        `INSERT IGNORE INTO emails (id, venue_id, booking_id, kind, to_address, reply_to, subject, text_body, html_body, message_id_header,
           source_key, status, attempts, last_error, next_attempt_at, created_at, sent_at, updated_at) VALUES ?`,
        [emails.map((e) => [e.id, e.venueId, e.bookingId, e.kind, e.to, e.replyTo, e.subject, e.text, e.html, e.messageId, e.sourceKey,
          e.status, 0, null, e.status === 'queued' ? now : null, now, null, now])],
      );
    });
  }

  const toQueue = [...emails.filter((e) => e.status === 'queued').map((e) => e.id), ...existing.filter((e) => e.status === 'queued').map((e) => e.id)];
  if (toQueue.length) {
    await ctx.queue.addBulk(toQueue.map((id) => ({ name: 'send', data: { email_id: id }, opts: emailJobOptions(id, ctx.schedule) })));
  }
  return emails.length;
}
