import type { Booking, Customer, VenueTable } from '../../platform/db/entities';

/** Table numbers are stored as text; numeric ones go out as numbers, as they came in. */
export function tableNumberOut(n: string | null): number | string | null {
  if (n === null) return null;
  return /^(0|[1-9]\d{0,14})$/.test(n) ? Number(n) : n;
}

export interface BookingRelations {
  table: Pick<VenueTable, 'id' | 'number'> | null;
  customer: Pick<Customer, 'id' | 'name' | 'email' | 'phone'> | null;
}

/** The contract's booking object (CONTRACT §2). */
export function presentBooking(b: Booking, rel: BookingRelations): Record<string, unknown> {
  return {
    id: b.id,
    reference: b.reference,
    status: b.status,
    date: b.date,
    time: b.time,
    start_at: b.startAt.toISOString(),
    end_at: b.endAt.toISOString(),
    // A request's end (CONTRACT §11); null for other bookings (and once a request is approved).
    expires_at: b.expiresAt ? b.expiresAt.toISOString() : null,
    party_size: b.partySize,
    table: rel.table ? { id: rel.table.id, number: tableNumberOut(rel.table.number) } : null,
    needs_table: b.needsTable,
    service_id: b.serviceId,
    event_id: b.eventId,
    customer: rel.customer
      ? { id: rel.customer.id, name: rel.customer.name, email: rel.customer.email, phone: rel.customer.phone }
      : null,
    // The guest's name: the customer's, else the name a booking platform sent for a guest kept without a customer.
    guest_name: rel.customer?.name ?? b.guestName ?? null,
    notes: b.notes,
    decline_reason: b.declineReason,
    source: b.source,
    external: b.externalPartner && b.externalReservationId ? { partner: b.externalPartner, reservation_id: b.externalReservationId } : null,
    venue_id: b.venueId,
    version: b.version,
    created_at: b.createdAt.toISOString(),
    updated_at: b.updatedAt.toISOString(),
  };
}
