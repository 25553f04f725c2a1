/**
 * One way to create-or-update a customer, used by POST /customers and by POST /bookings.
 *
 * Matching (per venue): the customer with this email (case-insensitive) first, else the one with this phone
 * (E.164, read with the venue's country as the default region). A match is updated: the name always, email,
 * phone and notes when given. An email or phone that already belongs to ANOTHER customer is not moved over
 * (the unique keys say one owner each); the match keeps its own. Nothing changed → no new version, no event.
 */
import { getCountryCallingCode, isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { Not, type EntityManager } from 'typeorm';
import { Customer } from '../../platform/db/entities';
import type { SqlStatement } from '../../platform/db/session-pool';
import { customerChanged, writeOutbox, type OutboxEntry } from '../outbox';
import { AppError } from '../../platform/app-error';
import { newId } from '../../platform/ids';
import { presentCustomer } from './customer.view';
import { customerStats } from './customer-stats';
import { isDuplicateKey } from '../../platform/db/db-errors';

export interface ContactInput {
  name: string;
  email?: string | null;
  phone?: string | null;
  /** undefined leaves notes alone; null clears them. */
  notes?: string | null;
}

export interface Contact {
  name: string;
  email: string | null;
  emailNormalized: string | null;
  /** E.164. */
  phone: string | null;
  notes: string | null | undefined;
}

function invalidPhone(message: string): AppError {
  return new AppError('validation_error', `Invalid phone: ${message}.`, { field: 'phone', errors: [{ field: 'phone', message }] });
}

function region(country: string | null): CountryCode | undefined {
  return country && isSupportedCountry(country) ? country : undefined;
}

/** A phone number in any common format → E.164; 400 validation_error on `phone` when it is not a real number. */
export function normalizePhone(raw: string, country: string | null): string {
  const parsed = parsePhoneNumberFromString(raw.trim(), { defaultCountry: region(country) });
  if (!parsed) {
    throw invalidPhone(country ? 'is not a phone number' : 'needs an international prefix (+…): the venue has no country');
  }
  if (!parsed.isValid()) throw invalidPhone('is not a valid phone number');
  return parsed.number;
}

/**
 * E.164 prefixes a typed fragment of a phone number may start, for search: `+4479…`, `004479…`, `079…`
 * (national, with the venue's country), `4479…`. Empty when the text is not phone-like.
 */
export function phoneSearchPrefixes(text: string, country: string | null): string[] {
  const compact = text.replace(/[\s().-]/g, '');
  if (!/^\+?\d{2,}$/.test(compact)) return [];
  if (compact.startsWith('+')) return [compact];
  if (compact.startsWith('00')) return [`+${compact.slice(2)}`];
  const out = [`+${compact}`];
  const cc = region(country);
  if (cc) out.push(`+${getCountryCallingCode(cc)}${compact.startsWith('0') ? compact.slice(1) : compact}`);
  return out;
}

/** Validates and normalises contact details before anything is written. */
export function normalizeContact(input: ContactInput, country: string | null): Contact {
  const email = input.email?.trim() || null;
  return {
    name: input.name.trim(),
    email,
    emailNormalized: email ? email.toLowerCase() : null,
    phone: input.phone ? normalizePhone(input.phone, country) : null,
    notes: input.notes,
  };
}

export interface UpsertResult {
  customer: Customer;
  created: boolean;
}


async function findOwner(em: EntityManager, venueId: string, where: { emailNormalized: string } | { phone: string }, exceptId?: string): Promise<Customer | null> {
  return em.findOne(Customer, {
    where: { venueId, ...where, ...(exceptId ? { id: Not(exceptId) } : {}) },
    lock: { mode: 'pessimistic_write' },
  });
}

/** Writes the outbox row now, or hands it to the caller (`deferred`), who writes it in the same transaction. */
async function announce(em: EntityManager, entry: OutboxEntry, now: Date, deferred: OutboxEntry[] | undefined): Promise<void> {
  if (deferred) deferred.push(entry);
  else await writeOutbox(em, entry, now);
}

/**
 * Creates or updates the venue's customer for `contact` inside the caller's transaction and writes the
 * customer.created / customer.updated outbox row — or, with `deferred`, appends it there for the caller to
 * write (in order, before its own events) later in the same transaction. Two concurrent upserts of one new
 * customer: the unique keys let one insert win; the other sees the duplicate and updates the winner's row instead.
 */
export async function upsertCustomer(
  em: EntityManager,
  venueId: string,
  contact: Contact,
  currency: string,
  now = new Date(),
  deferred?: OutboxEntry[],
): Promise<UpsertResult> {
  for (let attempt = 0; ; attempt++) {
    const match =
      (contact.emailNormalized ? await findOwner(em, venueId, { emailNormalized: contact.emailNormalized }) : null) ??
      (contact.phone ? await findOwner(em, venueId, { phone: contact.phone }) : null);
    if (match) return { customer: await updateCustomer(em, match, contact, currency, now, deferred), created: false };
    try {
      return { customer: await insertCustomer(em, venueId, contact, currency, now, deferred), created: true };
    } catch (err) {
      // Someone else inserted this email/phone since we looked: match again (READ COMMITTED sees it).
      if (!isDuplicateKey(err) || attempt >= 2) throw err;
    }
  }
}

async function insertCustomer(
  em: EntityManager,
  venueId: string,
  contact: Contact,
  currency: string,
  now: Date,
  deferred: OutboxEntry[] | undefined,
): Promise<Customer> {
  const { customer, insert, created } = newCustomer(venueId, contact, currency, now);
  // A plain INSERT: on the booking path this runs for every new guest, and TypeORM's insert builder costs more than the round trip.
  await em.query(insert.sql, insert.params);
  await announce(em, created, now, deferred);
  return customer;
}

/**
 * A new customer for `contact` as upsertCustomer creates one when nothing matches: the row, its INSERT and
 * its customer.created event. For a caller that has made sure nothing matches (customerMatchStatements
 * found no row) and sends the INSERT along with other statements; a duplicate key error on it means
 * someone inserted the same email/phone since: upsertCustomer then matches that row.
 */
export function newCustomer(venueId: string, contact: Contact, currency: string, now: Date): { customer: Customer; insert: SqlStatement; created: OutboxEntry } {
  const customer = Object.assign(new Customer(), {
    id: newId('cus'), venueId, name: contact.name || contact.email || contact.phone || '', email: contact.email, emailNormalized: contact.emailNormalized,
    phone: contact.phone, notes: contact.notes ?? null, version: 1, createdAt: now, updatedAt: now,
  });
  return {
    customer,
    insert: {
      sql: `INSERT INTO customers (id, venue_id, name, email, email_normalized, phone, notes, version, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [customer.id, venueId, customer.name, customer.email, customer.emailNormalized, customer.phone, customer.notes, 1, now, now],
    },
    created: customerChanged(true, customer, presentCustomer(customer, { visits: 0, spendTotal: 0, currency })),
  };
}

/**
 * upsertCustomer's lookups of a match (by email, by phone; each locked FOR UPDATE, as it locks them), for a
 * caller that sends them along with other statements: no row from any → upsertCustomer would insert.
 */
export function customerMatchStatements(venueId: string, contact: Contact): SqlStatement[] {
  const statements: SqlStatement[] = [];
  if (contact.emailNormalized) {
    statements.push({ sql: 'SELECT id FROM customers WHERE venue_id = ? AND email_normalized = ? FOR UPDATE', params: [venueId, contact.emailNormalized] });
  }
  if (contact.phone) {
    statements.push({ sql: 'SELECT id FROM customers WHERE venue_id = ? AND phone = ? FOR UPDATE', params: [venueId, contact.phone] });
  }
  return statements;
}

/**
 * customerMatchStatements for several contacts of a venue in one statement (the same rows locked FOR UPDATE),
 * or null when none has an email or phone; `returning` tells, from its rows, whether a contact has a match
 * (then upsertCustomer would update, else insert).
 */
export function customerMatchManyStatement(
  venueId: string,
  contacts: readonly Contact[],
): { statement: SqlStatement; returning(rows: readonly { email_normalized: string | null; phone: string | null }[], contact: Contact): boolean } | null {
  const emails = [...new Set(contacts.flatMap((c) => (c.emailNormalized ? [c.emailNormalized] : [])))];
  const phones = [...new Set(contacts.flatMap((c) => (c.phone ? [c.phone] : [])))];
  if (!emails.length && !phones.length) return null;
  const where = [...(emails.length ? ['email_normalized IN (?)'] : []), ...(phones.length ? ['phone IN (?)'] : [])].join(' OR ');
  return {
    statement: {
      sql: `SELECT id, email_normalized, phone FROM customers WHERE venue_id = ? AND (${where}) FOR UPDATE`,
      params: [venueId, ...(emails.length ? [emails] : []), ...(phones.length ? [phones] : [])],
    },
    // Emails are stored lowercased (email_normalized) and phones in E.164, so equal text is the columns' match.
    returning: (rows, c) =>
      rows.some((r) => (c.emailNormalized !== null && String(r.email_normalized ?? '').toLowerCase() === c.emailNormalized) || (c.phone !== null && r.phone === c.phone)),
  };
}

async function updateCustomer(
  em: EntityManager,
  c: Customer,
  contact: Contact,
  currency: string,
  now: Date,
  deferred: OutboxEntry[] | undefined,
): Promise<Customer> {
  const changes: Partial<Customer> = {};
  // A contact without a name (a booking platform's guest known by email or phone alone) keeps the customer's name.
  if (contact.name && contact.name !== c.name) changes.name = contact.name;
  if (contact.email && contact.email !== c.email) {
    const sameAddress = contact.emailNormalized === c.emailNormalized;
    if (sameAddress || !(await findOwner(em, c.venueId, { emailNormalized: contact.emailNormalized! }, c.id))) {
      Object.assign(changes, { email: contact.email, emailNormalized: contact.emailNormalized });
    }
  }
  if (contact.phone && contact.phone !== c.phone && !(await findOwner(em, c.venueId, { phone: contact.phone }, c.id))) {
    changes.phone = contact.phone;
  }
  if (contact.notes !== undefined && contact.notes !== c.notes) changes.notes = contact.notes;
  if (!Object.keys(changes).length) return c;

  Object.assign(changes, { version: c.version + 1, updatedAt: now });
  await em.update(Customer, { id: c.id }, changes);
  const updated = Object.assign(c, changes);
  const stats = (await customerStats(em, [updated.id], currency)).get(updated.id);
  const view = presentCustomer(updated, { visits: stats?.visits ?? 0, spendTotal: stats?.spendTotal ?? 0, currency });
  await announce(em, customerChanged(false, updated, view), now, deferred);
  return updated;
}
