import { Column, Entity, PrimaryColumn } from 'typeorm';
import { tinyBool } from './columns';

/** A bookable service (e.g. dinner): ISO weekdays, venue-local start/end, slot grid and pacing. */
@Entity({ name: 'services' })
export class Service {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'venue_id', type: 'varchar', length: 40 }) venueId!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'json' }) days!: number[];
  @Column({ name: 'start_time', type: 'char', length: 5 }) startTime!: string;
  @Column({ name: 'end_time', type: 'char', length: 5 }) endTime!: string;
  @Column({ name: 'slot_interval_minutes', type: 'int' }) slotIntervalMinutes!: number;
  @Column({ name: 'duration_minutes', type: 'int' }) durationMinutes!: number;
  @Column({ name: 'max_covers_per_slot', type: 'int', nullable: true }) maxCoversPerSlot!: number | null;
  /** Bookings from the widget and channels for this service become requests (CONTRACT §10, §11). */
  // No `default` here (the migration has it): TypeORM would read defaults back after a multi-row insert and
  // merge those rows into the entities by position, which is not the insert order for time-ordered ids.
  @Column({ name: 'requires_approval', type: 'tinyint', transformer: tinyBool }) requiresApproval!: boolean;
}
