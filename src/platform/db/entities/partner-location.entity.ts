import { Column, Entity, PrimaryColumn } from 'typeorm';
import { tinyBool } from './columns';

/** The POS's own location id linked to a venue: the "integration". */
@Entity({ name: 'partner_locations' })
export class PartnerLocation {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'partner_id', type: 'varchar', length: 40 }) partnerId!: string;
  /** Kept as a string so ids beyond 2^53 keep every digit. */
  @Column({ name: 'location_id', type: 'varchar', length: 128 }) locationId!: string;
  @Column({ name: 'venue_id', type: 'varchar', length: 40 }) venueId!: string;
  @Column({ type: 'tinyint', transformer: tinyBool }) enabled!: boolean;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
}
