/**
 * Guests (CONTRACT §10): what the public booking widget and the manage page may do, on the diary's own
 * doors. The door of the module — the public routes (src/surfaces/public-api) call only what this exports:
 *
 * - `findPublicVenue`: a venue by slug, only while its `public_booking` setting is on.
 * - `publicConfig`, `publicAvailability` (a range of days, the same engine as GET /availability),
 *   `guestBook` (the one booking writer, `source: "widget"`), `requestOrBooking` (the one place that
 *   decides whether a widget booking needs the venue's yes, §11).
 * - `findManagedBooking`, `manageView`, `guestMove`, `guestCancel`: the guest's own booking through its
 *   manage token (moves through updateBooking as a caller bound by the venue's rules, with its atomic
 *   check; cancelling through the status machine).
 * - `createEnquiry`, `presentEnquiry`, `TIERS` (reviews are the reviews module's: src/modules/reviews).
 * Nothing here answers with a booking id, a customer id, a table or another guest's data.
 */
import { createEvent } from 'ics';
import type { DataSource, EntityManager } from 'typeorm';
import { Booking, Enquiry } from '../../platform/db/entities';
import type { BookingWriter } from '../diary';
import { computeAvailabilityRange, type ExistingBooking } from '../diary';
import { BOOKING_TRANSITIONS, MOVABLE_STATUSES } from '../diary';
import { changeBookingStatus } from '../diary';
import { findBookingByManageToken } from '../diary';
import { updateBooking } from '../diary';
import { rematchSalesForBooking } from '../sales';
import {
  bookingsOverlappingStatement,
  engineInput,
  loadDiaryContext,
  type VenueRef,
} from '../diary';
import { inDiaryTransaction } from '../diary';
import { addDays, instantToLocal } from '../diary';
import { normalizePhone } from '../customers';
import { assertEmailCap, becomesRequest, checkPartySize, checkVenueRules } from '../diary';
import { venueSettings, type VenueSettings } from '../venues';
import { bookingQueryRange } from '../diary';
import { AppError } from '../../platform/app-error';
import { newId } from '../../platform/ids';
import type { Notifications } from '../notifications';
import type { EnquiryView, ManageView } from './guest-views';

/** A venue as the public widget knows it: its public fields and its settings. */
export interface PublicVenue extends VenueRef {
  name: string;
  slug: string;
  plan: string;
  settings: VenueSettings;
}

interface VenueRow {
  id: string;
  name: string;
  slug: string;
  timezone: string;
  currency: string;
  country: string | null;
  plan: string;
  settings: string | object | null;
}

/** The stored settings (JSON text from a raw query) through the one reader, with its defaults. */
export function settingsOfRow(stored: string | object | null): VenueSettings {
  return venueSettings({ settings: typeof stored === 'string' ? (JSON.parse(stored) as object) : stored });
}

const toPublicVenue = (r: VenueRow): PublicVenue => ({
  id: r.id, name: r.name, slug: r.slug, timezone: r.timezone, currency: r.currency, country: r.country, plan: r.plan,
  settings: settingsOfRow(r.settings),
});

const VENUE_COLUMNS = 'v.id, v.name, v.slug, v.timezone, v.currency, v.country, v.plan, v.settings';

/** The venue with this slug while it takes public bookings; null (a 404) otherwise. */
export async function findPublicVenue(em: EntityManager, slug: string): Promise<PublicVenue | null> {
  if (!/^[a-z0-9-]{1,100}$/i.test(slug)) return null;
  const [row] = (await em.query(`SELECT ${VENUE_COLUMNS} FROM venues v WHERE v.slug = ?`, [slug])) as VenueRow[];
  if (!row) return null;
  const venue = toPublicVenue(row);
  return venue.settings.public_booking ? venue : null;
}

async function venueById(em: EntityManager, id: string): Promise<PublicVenue> {
  const [row] = (await em.query(`SELECT ${VENUE_COLUMNS} FROM venues v WHERE v.id = ?`, [id])) as VenueRow[];
  if (!row) throw new AppError('not_found', 'Booking not found.');
  return toPublicVenue(row);
}

export const notFoundVenue = (): AppError => new AppError('not_found', 'No venue takes bookings at this address.');

/** The venue's services as the widget shows them (no capacity, no tables). */
interface PublicService {
  id: string;
  name: string;
  days: number[];
  start: string;
  end: string;
  requires_approval: boolean;
}

async function publicServices(em: EntityManager, venueId: string): Promise<PublicService[]> {
  const rows = (await em.query(
    'SELECT id, name, days, start_time, end_time, requires_approval FROM services WHERE venue_id = ? ORDER BY start_time, id',
    [venueId],
  )) as { id: string; name: string; days: string | number[]; start_time: string; end_time: string; requires_approval: number }[];
  return rows.map((s) => ({
    id: s.id, name: s.name, days: typeof s.days === 'string' ? (JSON.parse(s.days) as number[]) : s.days, start: s.start_time, end: s.end_time,
    requires_approval: Boolean(s.requires_approval),
  }));
}

/** `GET /public/venues/:slug/config`: public fields only. */
export async function publicConfig(em: EntityManager, venue: PublicVenue): Promise<Record<string, unknown>> {
  const s = venue.settings;
  return {
    name: venue.name,
    slug: venue.slug,
    timezone: venue.timezone,
    currency: venue.currency,
    country: venue.country,
    party_size: { min: s.party_size.min, max: s.party_size.max },
    booking_window_days: s.booking_window_days,
    max_instant_party_size: s.max_instant_party_size,
    services: await publicServices(em, venue.id),
    policies: { cancellation_hours: s.cancellation_hours, text: s.policies_text },
    theme: { ...s.theme },
  };
}

// ---------------------------------------------------------------------------------------------------------
// The venue's rules for guests (CONTRACT §15 "Venue rules … bind the public widget")

const fieldError = (field: string, message: string, extra: Record<string, unknown> = {}) =>
  new AppError('validation_error', `Invalid ${field}: ${message}.`, { field, errors: [{ field, message }], ...extra });

/** The venue's local today and the last bookable date (booking_window_days ahead). */
export function bookableDates(venue: PublicVenue, now: Date): { today: string; last: string } {
  const today = instantToLocal(now, venue.timezone).date;
  return { today, last: addDays(today, venue.settings.booking_window_days) };
}

/** The venue rules' party size check (src/modules/diary/venue-rules.ts), for the widget's routes. */
export function assertPartySize(venue: PublicVenue, partySize: number): void {
  checkPartySize(venue.settings, partySize);
}

/** The honeypot: a hidden field people leave empty; a filled one is refused. */
export function assertHoneypot(value: string | undefined, field: string): void {
  if (value !== undefined && value.trim() !== '') throw fieldError(field, 'must be left empty');
}

// ---------------------------------------------------------------------------------------------------------
// Availability over a range of days

export interface RangeQuery {
  from: string;
  to: string;
  party_size: number;
}

export const MAX_RANGE_DAYS = 31;

/**
 * `GET /public/venues/:slug/availability`: each day of [from, to] (inclusive, at most 31) with its slots,
 * from the same engine as `GET /availability` (computeAvailabilityRange: each day evaluated as
 * computeAvailability evaluates it) over one read of the venue's services and tables and one of the
 * bookings of the whole range, indexed once. Days before today or beyond the booking window have no slots.
 */
export async function publicAvailability(em: EntityManager, venue: PublicVenue, q: RangeQuery, now = new Date()): Promise<Record<string, unknown>> {
  if (q.to < q.from) throw fieldError('to', 'must not be before from');
  const days: string[] = [];
  for (let d = q.from; d <= q.to; d = addDays(d, 1)) {
    days.push(d);
    if (days.length > MAX_RANGE_DAYS) throw fieldError('to', `must be at most ${MAX_RANGE_DAYS} days from from (inclusive)`, { max_days: MAX_RANGE_DAYS });
  }
  assertPartySize(venue, q.party_size);
  const { today, last } = bookableDates(venue, now);
  const open = days.filter((d) => d >= today && d <= last);
  const slotsByDate = new Map<string, { time: string; available: boolean; service_id: string | null }[]>();
  if (open.length) {
    const first = bookingQueryRange(open[0]!, venue.timezone).from;
    const end = bookingQueryRange(open[open.length - 1]!, venue.timezone).to;
    const s = bookingsOverlappingStatement(venue.id, first, end);
    const [ctx, bookings] = await Promise.all([loadDiaryContext(em, venue), em.query(s.sql, s.params) as Promise<ExistingBooking[]>]);
    const { date: _date, ...input } = engineInput(ctx, bookings, { date: open[0]!, party_size: q.party_size }, now);
    for (const day of computeAvailabilityRange(input, open)) {
      slotsByDate.set(day.date, day.slots.map((slot) => ({ time: slot.time, available: slot.available, service_id: slot.service_id })));
    }
  }
  return { party_size: q.party_size, days: days.map((date) => ({ date, slots: slotsByDate.get(date) ?? [] })) };
}

// ---------------------------------------------------------------------------------------------------------
// Booking through the widget

export interface GuestBookingInput {
  date: string;
  time: string;
  party_size: number;
  name: string;
  email: string;
  phone?: string | null;
  notes?: string | null;
  service_id?: string | null;
}

export type BookingDecision = { kind: 'booking' } | { kind: 'request'; reason: 'party_size' | 'service_requires_approval' };

/**
 * THE rule that decides whether a widget booking is made at once or becomes a request the venue answers
 * (CONTRACT §10, §11): a party above the venue's `max_instant_party_size`, or a service marked
 * `requires_approval`, needs the venue's yes. Returns the decision only; guestBook acts on it.
 */
export function requestOrBooking(venue: PublicVenue, input: { party_size: number }, service: { requires_approval?: boolean } | null): BookingDecision {
  // The booking writer applies the same rule (becomesRequest) once the slot, hence the service, is known.
  if (!becomesRequest(venue.settings, input.party_size, service ? { requires_approval: !!service.requires_approval } : null)) return { kind: 'booking' };
  return { kind: 'request', reason: input.party_size > venue.settings.max_instant_party_size ? 'party_size' : 'service_requires_approval' };
}

export interface GuestBookingResult {
  reference: string;
  status: string;
  date: string;
  time: string;
  party_size: number;
  manage_url: string | null;
}

/**
 * `POST /public/venues/:slug/bookings`: the venue's rules, then the one booking writer (the same atomic
 * check as POST /bookings; the guest upserted by email or phone), `source: "widget"`.
 */
export async function guestBook(
  deps: { dataSource: DataSource; bookingWriter: BookingWriter },
  venue: PublicVenue,
  input: GuestBookingInput,
  now = new Date(),
): Promise<GuestBookingResult> {
  // The venue rules' own check (the writer runs it too) before the cap is counted; a past time is the engine's 422 in_past.
  checkVenueRules(venue.settings, input, venue.timezone, now);
  if (input.phone) normalizePhone(input.phone, venue.country); // 400 before anything is counted or written
  await assertEmailCap(deps.dataSource.manager, venue.id, venue.settings, 'widget', input.email, now);
  // The writer applies the venue rules (venueRules) and makes the booking a request where they say so
  // (a party above max_instant_party_size, a service requiring approval: requestOrBooking's rule).
  const view = await deps.bookingWriter.book(venue, {
    date: input.date, time: input.time, party_size: input.party_size, customer_name: input.name, email: input.email,
    phone: input.phone ?? null, notes: input.notes ?? null, service_id: input.service_id ?? null, source: 'widget',
    venueRules: venue.settings,
  }, now);
  return {
    reference: view.reference, status: view.status, date: view.date, time: view.time,
    party_size: view.party_size, manage_url: view.manage_url,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The manage page: the guest's own booking by its token

export interface ManagedBooking {
  booking: Booking;
  venue: PublicVenue;
}

/** The booking a manage token opens, with its venue; null for a wrong token (a 404). */
export async function findManagedBooking(em: EntityManager, token: string, opts: { lock?: boolean } = {}): Promise<ManagedBooking | null> {
  const booking = await findBookingByManageToken(em, token, opts);
  if (!booking) return null;
  return { booking, venue: await venueById(em, booking.venueId) };
}

const CANCELLABLE = new Set(Object.entries(BOOKING_TRANSITIONS).filter(([, to]) => to.includes('cancelled')).map(([from]) => from));

/** Until when the guest may change or cancel online: `cancellation_hours` before the start. */
export function changeDeadline(m: ManagedBooking): Date {
  return new Date(m.booking.startAt.getTime() - m.venue.settings.cancellation_hours * 3600_000);
}

/** `GET /public/bookings/:token` (CONTRACT §15): the guest's own booking and what may still change. */
export function manageView(m: ManagedBooking, now = new Date()): ManageView {
  const { booking: b, venue } = m;
  const deadline = changeDeadline(m);
  const inTime = now.getTime() < deadline.getTime();
  return {
    reference: b.reference,
    status: b.status,
    date: b.date,
    time: b.time,
    party_size: b.partySize,
    start_at: b.startAt.toISOString(),
    end_at: b.endAt.toISOString(),
    venue: { name: venue.name, slug: venue.slug, timezone: venue.timezone, currency: venue.currency },
    can_change: inTime && (MOVABLE_STATUSES as readonly string[]).includes(b.status),
    can_cancel: inTime && CANCELLABLE.has(b.status),
    change_deadline: deadline.toISOString(),
    policies: { cancellation_hours: venue.settings.cancellation_hours, text: venue.settings.policies_text },
  };
}

function assertInTime(m: ManagedBooking, now: Date): void {
  const deadline = changeDeadline(m);
  if (now.getTime() >= deadline.getTime()) {
    const hours = m.venue.settings.cancellation_hours;
    throw new AppError('too_late_to_change', `${m.venue.name} takes changes and cancellations online until ${hours} hours before the booking; please contact the venue.`, {
      change_deadline: deadline.toISOString(), cancellation_hours: hours,
    });
  }
}

const wrongToken = (): AppError => new AppError('not_found', 'Booking not found.');

/**
 * The booking as an iCalendar event (the widget's "add to calendar"), times in UTC, with the manage link
 * as its URL; a cancelled booking is a CANCELLED event, so a calendar that imported it can drop it.
 */
export function bookingCalendar(m: ManagedBooking, manageLink: string): string {
  const { booking: b, venue } = m;
  const { error, value } = createEvent({
    uid: `${b.reference}@tablesync`,
    productId: 'tablesync/widget',
    start: b.startAt.getTime(), startInputType: 'utc', startOutputType: 'utc',
    end: b.endAt.getTime(), endInputType: 'utc', endOutputType: 'utc',
    title: `Table at ${venue.name}`,
    description: `Booking ${b.reference} for ${b.partySize}. View, change or cancel: ${manageLink}`,
    location: venue.name,
    url: manageLink,
    status: b.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
  });
  if (error || !value) throw error ?? new Error('calendar event not built');
  return value;
}

/**
 * `PATCH /public/bookings/:token`: a move (date, time, party size) until the change deadline, through the
 * one booking updater as a caller bound by the venue's rules (updateBooking's BoundChange: party size,
 * booking window, no growing into what needs approval; a request stays a request), with its atomic check.
 */
export async function guestMove(ds: DataSource, token: string, patch: { date?: string; time?: string; party_size?: number }, now = new Date()): Promise<ManageView> {
  return inDiaryTransaction(ds, async (em) => {
    const m = await findManagedBooking(em, token, { lock: true });
    if (!m) throw wrongToken();
    assertInTime(m, now);
    const { date, time, party_size } = patch;
    await updateBooking(em, m.venue, m.booking.id, { date, time, party_size }, rematchSalesForBooking, now, { rules: m.venue.settings });
    const after = await findManagedBooking(em, token);
    return manageView(after!, now);
  });
}

/** `DELETE /public/bookings/:token`: cancels it (until the deadline); answers the view (status `cancelled`). */
export async function guestCancel(ds: DataSource, token: string, now = new Date()): Promise<ManageView> {
  return inDiaryTransaction(ds, async (em) => {
    const m = await findManagedBooking(em, token, { lock: true });
    if (!m) throw wrongToken();
    if (m.booking.status === 'cancelled') return manageView(m, now);
    assertInTime(m, now);
    await changeBookingStatus(em, m.booking, 'cancelled', { via: 'api', now, pickUpWaitingSales: rematchSalesForBooking });
    return manageView(m, now);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Enquiries, tiers, reviews

export interface EnquiryInput {
  name: string;
  email: string;
  phone?: string | null;
  date?: string | null;
  party_size?: number | null;
  message: string;
}

export function presentEnquiry(e: Enquiry): EnquiryView {
  return {
    id: e.id, name: e.name, email: e.email, phone: e.phone, date: e.date, party_size: e.partySize, message: e.message,
    created_at: e.createdAt.toISOString(),
  };
}

/** `POST /public/venues/:slug/enquiries`: stored, and the venue emailed (notification_email) from the same commit. */
export async function createEnquiry(ds: DataSource, notifications: Notifications, venue: PublicVenue, input: EnquiryInput, now = new Date()): Promise<Enquiry> {
  const enquiry = Object.assign(new Enquiry(), {
    id: newId('enq'), venueId: venue.id, name: input.name.trim(), email: input.email.trim(),
    phone: input.phone ? normalizePhone(input.phone, venue.country) : null, date: input.date ?? null,
    partySize: input.party_size ?? null, message: input.message, createdAt: now,
  } satisfies Enquiry);
  // The venue is emailed at its notification_email as it is now (none while null, CONTRACT §15).
  const to = venue.settings.notification_email;
  await ds.transaction(async (em) => {
    await em.insert(Enquiry, enquiry);
    if (!to) return;
    await notifications.queueEmail(em, {
      venueId: venue.id, kind: 'enquiry_received', resourceId: enquiry.id, to,
      enquiry: { name: enquiry.name, email: enquiry.email, phone: enquiry.phone, date: enquiry.date, partySize: enquiry.partySize, message: enquiry.message },
    }, now);
  });
  return enquiry;
}

/** The plans (CONTRACT §10 `GET /public/tiers`): product data in tiers.json, checked at start (tiers.ts). */
export { TIERS, loadTiers, type Tier } from './tiers';
export { TIER_SCHEMA } from './tiers';
export { enquiryResponseSchema, type EnquiryView, manageViewSchema, type ManageView } from './guest-views';
