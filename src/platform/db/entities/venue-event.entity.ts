import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A ticketed or special event on one date with a covers capacity. */
@Entity({ name: 'venue_events' })
export class VenueEvent {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'venue_id', type: 'varchar', length: 40 }) venueId!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'date' }) date!: string;
  @Column({ name: 'start_time', type: 'char', length: 5 }) startTime!: string;
  @Column({ name: 'end_time', type: 'char', length: 5 }) endTime!: string;
  @Column({ type: 'int' }) capacity!: number;
}
