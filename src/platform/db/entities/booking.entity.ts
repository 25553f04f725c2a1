import { Column, Entity, PrimaryColumn } from 'typeorm';

// The statuses are the diary's status machine (a dependency-free file, which eslint/layout-plugin.cjs lets the platform import).
import type { BookingStatus } from '../../../modules/diary/booking-statuses';

@Entity({ name: 'bookings' })
export class Booking {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'venue_id', type: 'varchar', length: 40 }) venueId!: string;
  /** Short human reference, e.g. "TS-7K3M9Q". */
  @Column({ type: 'varchar', length: 16 }) reference!: string;
  @Column({ type: 'varchar', length: 16 }) status!: BookingStatus;
  /** Venue-local date and time. */
  @Column({ type: 'date' }) date!: string;
  @Column({ type: 'char', length: 5 }) time!: string;
  @Column({ name: 'start_at', type: 'datetime', precision: 3 }) startAt!: Date;
  @Column({ name: 'end_at', type: 'datetime', precision: 3 }) endAt!: Date;
  /** A request's end (CONTRACT §11): it becomes `expired` then unless approved, declined or cancelled before. Null for other bookings. */
  @Column({ name: 'expires_at', type: 'datetime', precision: 3, nullable: true }) expiresAt!: Date | null;
  @Column({ name: 'party_size', type: 'int' }) partySize!: number;
  @Column({ name: 'table_id', type: 'varchar', length: 40, nullable: true }) tableId!: string | null;
  /** A kept reservation of a booking platform that got no table (CONTRACT §12): the diary lists it apart. */
  @Column({ name: 'needs_table', type: 'boolean' }) needsTable!: boolean;
  @Column({ name: 'service_id', type: 'varchar', length: 40, nullable: true }) serviceId!: string | null;
  @Column({ name: 'event_id', type: 'varchar', length: 40, nullable: true }) eventId!: string | null;
  @Column({ name: 'customer_id', type: 'varchar', length: 40, nullable: true }) customerId!: string | null;
  /** The guest's name as a booking platform sent it (a guest without email or phone has no customer). */
  @Column({ name: 'guest_name', type: 'varchar', length: 255, nullable: true }) guestName!: string | null;
  @Column({ type: 'text', nullable: true }) notes!: string | null;
  /** Why a request was declined (PATCH {status: "declined", reason}). */
  @Column({ name: 'decline_reason', type: 'varchar', length: 1000, nullable: true }) declineReason!: string | null;
  /** `api`, `widget`, `console`, `channel:<name>`, or a partner's name. */
  @Column({ type: 'varchar', length: 120 }) source!: string;
  /** The booking channel whose key made it (CONTRACT §11); such a key sees only these. */
  @Column({ name: 'channel_id', type: 'varchar', length: 40, nullable: true }) channelId!: string | null;
  /** The partner and its reservation id, for a booking made from a platform's reservation (unique together). */
  @Column({ name: 'external_partner', type: 'varchar', length: 64, nullable: true }) externalPartner!: string | null;
  @Column({ name: 'external_reservation_id', type: 'varchar', length: 128, nullable: true }) externalReservationId!: string | null;
  /** The reservation's `updated_at` as last applied: an older update is ignored. */
  @Column({ name: 'external_version', type: 'varchar', length: 64, nullable: true }) externalVersion!: string | null;
  @Column({ type: 'int' }) version!: number;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
}
