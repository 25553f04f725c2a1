import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An enquiry from the public widget (CONTRACT §10): private events, large groups. */
@Entity({ name: 'enquiries' })
export class Enquiry {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'venue_id', type: 'varchar', length: 40 }) venueId!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'varchar', length: 254 }) email!: string;
  @Column({ type: 'varchar', length: 32, nullable: true }) phone!: string | null;
  @Column({ type: 'date', nullable: true }) date!: string | null;
  @Column({ name: 'party_size', type: 'int', nullable: true }) partySize!: number | null;
  @Column({ type: 'text' }) message!: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
