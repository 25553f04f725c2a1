import type { Service, VenueEvent, VenueTable } from '../../../platform/db/entities';
import type { VenueAggregate } from '../../../modules/venues';
import { venueSettings } from '../../../modules/venues';
import type { ServiceView, TableView, VenueEventView, VenueView } from '../openapi/response-schemas';

/** Typed by the response schemas the OpenAPI document shows (src/surfaces/http/openapi/response-schemas.ts). */

/** Table numbers are stored as text; numeric ones go back out as numbers, as they came in. */
export function presentTableNumber(n: string): number | string {
  return /^(0|[1-9]\d{0,14})$/.test(n) ? Number(n) : n;
}

export function presentTable(t: VenueTable): TableView {
  return { id: t.id, number: presentTableNumber(t.number), min_covers: t.minCovers, max_covers: t.maxCovers };
}

export function presentService(s: Service): ServiceView {
  return {
    id: s.id, name: s.name, days: s.days, start: s.startTime, end: s.endTime,
    slot_interval_minutes: s.slotIntervalMinutes, duration_minutes: s.durationMinutes,
    max_covers_per_slot: s.maxCoversPerSlot,
    requires_approval: s.requiresApproval,
  };
}

export function presentEvent(e: VenueEvent): VenueEventView {
  return { id: e.id, name: e.name, date: e.date, start: e.startTime, end: e.endTime, capacity: e.capacity };
}

export function presentVenue(agg: VenueAggregate): VenueView {
  const { venue } = agg;
  return {
    id: venue.id,
    name: venue.name,
    slug: venue.slug,
    timezone: venue.timezone,
    currency: venue.currency,
    country: venue.country,
    plan: venue.plan,
    areas: agg.areas.map((a) => ({
      id: a.id,
      name: a.name,
      tables: agg.tables
        .filter((t) => t.areaId === a.id)
        .sort((x, y) => x.number.localeCompare(y.number, 'en', { numeric: true }))
        .map(presentTable),
    })),
    services: agg.services.map(presentService),
    events: agg.events.map(presentEvent),
    settings: venueSettings(venue),
    created_at: venue.createdAt.toISOString(),
    updated_at: venue.updatedAt.toISOString(),
  };
}
