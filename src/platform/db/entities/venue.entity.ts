import { Column, Entity, PrimaryColumn } from 'typeorm';

export type VenuePlan = 'starter' | 'business' | 'pro';

@Entity({ name: 'venues' })
export class Venue {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'varchar', length: 100 }) slug!: string;
  @Column({ type: 'varchar', length: 64 }) timezone!: string;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ type: 'char', length: 2, nullable: true }) country!: string | null;
  @Column({ type: 'varchar', length: 16 }) plan!: VenuePlan;
  /** Only the settings this venue changed; read them with venueSettings() (src/modules/venues/venue-settings.ts). */
  @Column({ type: 'json', nullable: true }) settings!: object | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
}
