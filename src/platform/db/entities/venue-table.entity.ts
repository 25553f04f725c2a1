import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A physical table in the diary ("table" is a reserved word, hence venue_tables). */
@Entity({ name: 'venue_tables' })
export class VenueTable {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'venue_id', type: 'varchar', length: 40 }) venueId!: string;
  @Column({ name: 'area_id', type: 'varchar', length: 40 }) areaId!: string;
  @Column({ type: 'varchar', length: 32 }) number!: string;
  @Column({ name: 'min_covers', type: 'int' }) minCovers!: number;
  @Column({ name: 'max_covers', type: 'int' }) maxCovers!: number;
}
