import type { EntityManager } from 'typeorm';
import { Partner, PartnerLocation, Venue, VenueTable } from '../../platform/db/entities';
import { AppError } from '../../platform/app-error';
import { newId } from '../../platform/ids';
import { isDuplicateKey } from './partners';
import type { LocationView } from './partner-views';

/**
 * Integrations: a POS's own location id linked to a venue. Location ids are kept as text so ids
 * beyond 2^53 keep every digit.
 *
 * `tables` (CONTRACT §3): the POS's own table ids (Toast's GUIDs, names such as "Bar 3") mapped to the
 * venue's table numbers, stored in partner_location_tables and read by the one match query
 * (sales/match-query.ts). Keys are trimmed and compared case-insensitively; each value must be a table
 * of the venue (stored as the venue writes it). Given, `tables` replaces the location's map (`{}` clears
 * it); left out, the map is kept, so a PUT that only enables or disables a location never loses it.
 */

export interface LinkLocationInput {
  venue_id: string;
  enabled?: boolean;
  tables?: Record<string, string | number>;
}

export type TableAliases = Record<string, string>;

export interface LinkedLocation {
  location: PartnerLocation;
  tables: TableAliases;
}

const invalidTables = (message: string, details: Record<string, unknown>): AppError =>
  new AppError('validation_error', `Invalid tables: ${message}.`, { field: 'tables', ...details, errors: [{ field: 'tables', message }] });

/** The aliases as stored: keys trimmed and distinct (ignoring case), values the venue's own table numbers. */
async function checkedAliases(em: EntityManager, venueId: string, tables: Record<string, string | number>): Promise<TableAliases> {
  const numbers = new Map(
    (await em.find(VenueTable, { where: { venueId }, select: { number: true } })).map((t) => [t.number.trim().toLowerCase(), t.number]),
  );
  const out: TableAliases = {};
  const seen = new Map<string, string>();
  const unknown: string[] = [];
  for (const [rawKey, rawValue] of Object.entries(tables)) {
    const key = rawKey.trim();
    if (key === '' || key.length > 128) throw invalidTables('a POS table id must be 1 to 128 characters', { table: rawKey });
    const folded = key.toLowerCase();
    if (seen.has(folded)) throw invalidTables(`"${seen.get(folded)}" and "${key}" are the same POS table id`, { table: key });
    seen.set(folded, key);
    const number = numbers.get(String(rawValue).trim().toLowerCase());
    if (number === undefined) unknown.push(String(rawValue));
    else out[key] = number;
  }
  if (unknown.length) {
    throw invalidTables(`not tables of the venue: ${unknown.join(', ')}`, { unknown_tables: unknown, venue_tables: [...numbers.values()] });
  }
  return out;
}

async function saveAliases(em: EntityManager, locationRef: string, aliases: TableAliases): Promise<void> {
  await em.query('DELETE FROM partner_location_tables WHERE location_ref = ?', [locationRef]);
  const rows = Object.entries(aliases).map(([pos, number]) => [locationRef, pos, number]);
  if (rows.length) await em.query('INSERT INTO partner_location_tables (location_ref, pos_table, table_number) VALUES ?', [rows]);
}

/** The table aliases of some locations (by PartnerLocation.id). */
export async function aliasesOf(em: EntityManager, locationRefs: readonly string[]): Promise<Map<string, TableAliases>> {
  const out = new Map<string, TableAliases>(locationRefs.map((id) => [id, {}]));
  if (!locationRefs.length) return out;
  const rows = (await em.query(
    'SELECT location_ref, pos_table, table_number FROM partner_location_tables WHERE location_ref IN (?) ORDER BY pos_table',
    [locationRefs],
  )) as { location_ref: string; pos_table: string; table_number: string }[];
  for (const r of rows) out.get(r.location_ref)![r.pos_table] = r.table_number;
  return out;
}

export async function linkLocation(
  em: EntityManager,
  partner: Partner,
  locationId: string,
  input: LinkLocationInput,
  now = new Date(),
): Promise<LinkedLocation & { created: boolean }> {
  const venue = await em.findOne(Venue, { where: { id: input.venue_id } });
  if (!venue) throw new AppError('not_found', 'Venue not found.', { field: 'venue_id' });
  const aliases = input.tables === undefined ? null : await checkedAliases(em, venue.id, input.tables);
  // READ COMMITTED: the lookup of a missing link takes no gap lock, so links of other locations never deadlock.
  return em.transaction('READ COMMITTED', async (tx) => {
    const { location, created } = await upsertLink(tx, partner, locationId, venue, input, now);
    if (aliases) await saveAliases(tx, location.id, aliases);
    return { location, created, tables: aliases ?? (await aliasesOf(tx, [location.id])).get(location.id)! };
  });
}

async function upsertLink(
  em: EntityManager,
  partner: Partner,
  locationId: string,
  venue: Venue,
  input: LinkLocationInput,
  now: Date,
): Promise<{ location: PartnerLocation; created: boolean }> {
  const existing = await em.findOne(PartnerLocation, { where: { partnerId: partner.id, locationId }, lock: { mode: 'pessimistic_write' } });
  if (existing) {
    existing.venueId = venue.id;
    existing.enabled = input.enabled ?? true;
    existing.updatedAt = now;
    await em.save(PartnerLocation, existing);
    return { location: existing, created: false };
  }
  const location = em.create(PartnerLocation, {
    id: newId('loc'),
    partnerId: partner.id,
    locationId,
    venueId: venue.id,
    enabled: input.enabled ?? true,
    createdAt: now,
    updatedAt: now,
  });
  try {
    await em.insert(PartnerLocation, location);
  } catch (err) {
    // A concurrent PUT for the same location won the insert: update that row instead (after it commits).
    if (isDuplicateKey(err)) return upsertLink(em, partner, locationId, venue, input, now);
    throw err;
  }
  return { location, created: true };
}

export async function listLocations(em: EntityManager, partner: Partner): Promise<LinkedLocation[]> {
  const locations = await em.find(PartnerLocation, { where: { partnerId: partner.id }, order: { locationId: 'ASC' } });
  const aliases = await aliasesOf(em, locations.map((l) => l.id));
  return locations.map((location) => ({ location, tables: aliases.get(location.id)! }));
}

export function presentLocation(partner: Partner, { location: l, tables }: LinkedLocation): LocationView {
  return {
    id: l.id,
    partner: partner.name,
    location_id: l.locationId,
    venue_id: l.venueId,
    enabled: l.enabled,
    tables,
    created_at: l.createdAt.toISOString(),
    updated_at: l.updatedAt.toISOString(),
  };
}
