import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'areas' })
export class Area {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'venue_id', type: 'varchar', length: 40 }) venueId!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'int' }) position!: number;
}
