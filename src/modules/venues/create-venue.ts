import { IANAZone } from 'luxon';
import type { EntityManager } from 'typeorm';
import { Area, Service, Venue, VenueEvent, VenueTable } from '../../platform/db/entities';
import { AppError } from '../../platform/app-error';
import { newId } from '../../platform/ids';
import type { CreateVenueBody } from './venue-input';
import { settleVenueSettings } from './venue-settings';

export interface VenueAggregate {
  venue: Venue;
  areas: Area[];
  tables: VenueTable[];
  services: Service[];
  events: VenueEvent[];
}

function invalid(field: string, message: string): AppError {
  return new AppError('validation_error', `Invalid body: ${field} ${message}.`, { field, errors: [{ field, message }] });
}

/** Checks a schema cannot express. Runs before anything is written. */
function checkVenueBody(body: CreateVenueBody): void {
  if (!IANAZone.isValidZone(body.timezone)) throw invalid('timezone', 'is not an IANA time zone');
  const numbers = new Set<string>();
  body.areas.forEach((area, a) =>
    area.tables.forEach((t, i) => {
      const field = `areas[${a}].tables[${i}]`;
      if (t.min_covers > t.max_covers) throw invalid(`${field}.min_covers`, 'must not exceed max_covers');
      const n = String(t.number);
      if (numbers.has(n)) throw invalid(`${field}.number`, `duplicates table number ${n}`);
      numbers.add(n);
    }),
  );
  body.services.forEach((s, i) => {
    if (s.start === s.end) throw invalid(`services[${i}].end`, 'must differ from start');
  });
  (body.events ?? []).forEach((e, i) => {
    if (e.start === e.end) throw invalid(`events[${i}].end`, 'must differ from start');
  });
}

/** Creates a venue with its areas, tables, services and events in the caller's transaction. */
export async function createVenue(em: EntityManager, body: CreateVenueBody, now = new Date()): Promise<VenueAggregate> {
  checkVenueBody(body);
  const existing = await em.findOne(Venue, { where: { slug: body.slug }, select: { id: true } });
  if (existing) throw new AppError('conflict', `A venue with slug "${body.slug}" already exists.`, { field: 'slug' });

  const settings = body.settings ? settleVenueSettings(null, body.settings).stored : null;
  const venue = em.create(Venue, {
    id: newId('ven'), name: body.name, slug: body.slug, timezone: body.timezone, currency: body.currency,
    country: body.country ?? null, plan: body.plan ?? 'business', settings, createdAt: now, updatedAt: now,
  });
  const areas: Area[] = [];
  const tables: VenueTable[] = [];
  body.areas.forEach((a, position) => {
    const area = em.create(Area, { id: newId('area'), venueId: venue.id, name: a.name, position });
    areas.push(area);
    for (const t of a.tables) {
      tables.push(em.create(VenueTable, {
        id: newId('tbl'), venueId: venue.id, areaId: area.id, number: String(t.number),
        minCovers: t.min_covers, maxCovers: t.max_covers,
      }));
    }
  });
  const services = body.services.map((s) => em.create(Service, {
    id: newId('svc'), venueId: venue.id, name: s.name, days: [...s.days].sort(), startTime: s.start, endTime: s.end,
    slotIntervalMinutes: s.slot_interval_minutes, durationMinutes: s.duration_minutes,
    maxCoversPerSlot: s.max_covers_per_slot ?? null, requiresApproval: s.requires_approval ?? false,
  }));
  const events = (body.events ?? []).map((e) => em.create(VenueEvent, {
    id: newId('vev'), venueId: venue.id, name: e.name, date: e.date, startTime: e.start, endTime: e.end,
    capacity: e.capacity,
  }));

  try {
    await em.insert(Venue, venue);
  } catch (err) {
    // Two concurrent creates with one slug: the unique key decides.
    if ((err as { code?: string }).code === 'ER_DUP_ENTRY') {
      throw new AppError('conflict', `A venue with slug "${body.slug}" already exists.`, { field: 'slug' });
    }
    throw err;
  }
  if (areas.length) await em.insert(Area, areas);
  if (tables.length) await em.insert(VenueTable, tables);
  if (services.length) await em.insert(Service, services);
  if (events.length) await em.insert(VenueEvent, events);
  return { venue, areas, tables, services, events };
}

/** Loads a venue with everything the venue JSON shows. */
export async function loadVenueAggregate(em: EntityManager, venueId: string): Promise<VenueAggregate | null> {
  const venue = await em.findOne(Venue, { where: { id: venueId } });
  if (!venue) return null;
  const [areas, tables, services, events] = await Promise.all([
    em.find(Area, { where: { venueId }, order: { position: 'ASC' } }),
    em.find(VenueTable, { where: { venueId } }),
    em.find(Service, { where: { venueId } }),
    em.find(VenueEvent, { where: { venueId }, order: { date: 'ASC', startTime: 'ASC' } }),
  ]);
  return { venue, areas, tables, services, events };
}
