import { Column, Entity, PrimaryColumn } from 'typeorm';

export const BOOKING_STATUSES = ['pending', 'confirmed', 'seated', 'completed', 'cancelled', 'no_show'] as const;
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
  @Column({ name: 'party_size', type: 'int' }) partySize!: number;
  @Column({ name: 'table_id', type: 'varchar', length: 40, nullable: true }) tableId!: string | null;
  @Column({ name: 'service_id', type: 'varchar', length: 40, nullable: true }) serviceId!: string | null;
  @Column({ name: 'event_id', type: 'varchar', length: 40, nullable: true }) eventId!: string | null;
  @Column({ name: 'customer_id', type: 'varchar', length: 40, nullable: true }) customerId!: string | null;
  @Column({ type: 'text', nullable: true }) notes!: string | null;
  @Column({ type: 'varchar', length: 32 }) source!: string;
  @Column({ type: 'int' }) version!: number;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
}
