import type { EntityManager } from 'typeorm';
import { Partner, PartnerLocation, Venue } from '../../db/entities';
import { AppError } from '../../shared/app-error';
import { newId } from '../../shared/ids';
import { isDuplicateKey } from './partners';

/**
 * Integrations: a POS's own location id linked to a venue. Location ids are kept as text so ids
 * beyond 2^53 keep every digit.
 */

export interface LinkLocationInput {
  venue_id: string;
  enabled?: boolean;
}

export async function linkLocation(
  em: EntityManager,
  partner: Partner,
  locationId: string,
  input: LinkLocationInput,
  now = new Date(),
): Promise<{ location: PartnerLocation; created: boolean }> {
  const venue = await em.findOne(Venue, { where: { id: input.venue_id } });
  if (!venue) throw new AppError('not_found', 'Venue not found.', { field: 'venue_id' });
  const existing = await em.findOne(PartnerLocation, { where: { partnerId: partner.id, locationId } });
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
    // A concurrent PUT for the same location won the insert: update that row instead.
    if (isDuplicateKey(err)) return linkLocation(em, partner, locationId, input, now);
    throw err;
  }
  return { location, created: true };
}

export async function listLocations(em: EntityManager, partner: Partner): Promise<PartnerLocation[]> {
  return em.find(PartnerLocation, { where: { partnerId: partner.id }, order: { locationId: 'ASC' } });
}

export function presentLocation(partner: Partner, l: PartnerLocation): Record<string, unknown> {
  return {
    id: l.id,
    partner: partner.name,
    location_id: l.locationId,
    venue_id: l.venueId,
    enabled: l.enabled,
    created_at: l.createdAt.toISOString(),
    updated_at: l.updatedAt.toISOString(),
  };
}
