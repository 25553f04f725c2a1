/**
 * The POS `booking_status` command (CONTRACT §5): the booking by id/reference, else by table and time (the
 * one match query), changed through the diary's changeBookingStatus (the forward path of the machine). It
 * applies only while the booking could be at the table (start − 30 min to end + 2 h): a till closing
 * table 12 tonight says nothing about the booking at table 12 tomorrow.
 */
import type { EntityManager } from 'typeorm';
import { entityManagerSession } from '../../../platform/db/entity-statements';
import type { BookingStatusCommand } from '../../commands';
import { changeBookingStatus } from '../../diary';
import { findBooking } from '../../diary';
import { instantToLocal } from '../../diary';
import { holdsTime, matchOf, matchStatements, rematchSalesForBooking } from '../../sales';
import { type ApplyContext, type CommandOutcome, ignored, instant, text, type VenueOfLocation } from '../../sales';

export async function applyBookingStatusCommand(
  em: EntityManager,
  ctx: ApplyContext,
  cmd: BookingStatusCommand,
  venue: VenueOfLocation | { reason: string },
): Promise<CommandOutcome> {
  if ('reason' in venue) return ignored('booking_status', venue.reason);
  const at = instant(cmd.at) ?? ctx.receivedAt;
  const lookup = {
    scope: { partnerId: ctx.partner.id, locationId: text(cmd.location_id)! },
    bookingRef: text(cmd.booking_id),
    table: text(cmd.table_number),
    matchAt: at,
  };
  const query = matchStatements([lookup]);
  const match = matchOf(lookup, query.read(await entityManagerSession(em).run(query.statements))[0]!);
  if (!match) {
    const by = lookup.bookingRef ? `booking ${lookup.bookingRef}` : lookup.table ? `table ${lookup.table}` : 'no booking id or table';
    return ignored('booking_status', `no booking found for ${by}`, venue.venueId);
  }
  const booking = (await findBooking(em, venue.venueId, match.bookingId, { lock: true }))!;
  if (!holdsTime(booking, at)) {
    const when = instantToLocal(at, venue.timezone);
    const start = instantToLocal(booking.startAt, venue.timezone);
    return ignored(
      'booking_status',
      `booking ${booking.reference} (${start.date} ${start.time}) could not be at the table at ${when.date} ${when.time}: ` +
        `a status applies from 30 min before its start to 2 h after its end`,
      venue.venueId,
    );
  }
  const changed = await changeBookingStatus(em, booking, cmd.status, { via: 'pos', now: ctx.now ?? new Date(), pickUpWaitingSales: rematchSalesForBooking });
  if ('refused' in changed) return ignored('booking_status', changed.refused, venue.venueId);
  return { type: 'booking_status', result: 'applied', venue_id: venue.venueId, sale: null, booking: booking.id, match: null, unmatched_reason: null, reason: null };
}
