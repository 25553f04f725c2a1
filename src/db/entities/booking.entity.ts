import { Column, Entity, PrimaryColumn } from 'typeorm';

export const BOOKING_STATUSES = ['requested', 'pending', 'confirmed', 'seated', 'completed', 'cancelled', 'no_show', 'declined', 'expired'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

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
  @Column({ name: 'service_id', type: 'varchar', length: 40, nullable: true }) serviceId!: string | null;
  @Column({ name: 'event_id', type: 'varchar', length: 40, nullable: true }) eventId!: string | null;
  @Column({ name: 'customer_id', type: 'varchar', length: 40, nullable: true }) customerId!: string | null;
  @Column({ type: 'text', nullable: true }) notes!: string | null;
  /** Why a request was declined (PATCH {status: "declined", reason}). */
  @Column({ name: 'decline_reason', type: 'varchar', length: 1000, nullable: true }) declineReason!: string | null;
  /** `api`, `widget`, `console`, `channel:<name>`, or a partner's name. */
  @Column({ type: 'varchar', length: 120 }) source!: string;
  /** The booking channel whose key made it (CONTRACT §11); such a key sees only these. */
  @Column({ name: 'channel_id', type: 'varchar', length: 40, nullable: true }) channelId!: string | null;
  @Column({ type: 'int' }) version!: number;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
}
