import { Column, Entity, PrimaryColumn } from 'typeorm';

export type SaleStatus = 'open' | 'closed' | 'void' | 'refunded';
export type SaleMatch = 'booking_id' | 'table_time' | 'manual';
/** A payment as the sale command carried it (SALE_COMMAND_SCHEMA: `tip` may be null or absent). */
export interface StoredPayment {
  method: string;
  amount: number;
  tip?: number | null;
}

@Entity({ name: 'sales' })
export class Sale {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ type: 'varchar', length: 64 }) partner!: string;
  /** The POS's own sale id, unique per partner. */
  @Column({ name: 'sale_id', type: 'varchar', length: 128 }) saleId!: string;
  @Column({ name: 'venue_id', type: 'varchar', length: 40 }) venueId!: string;
  @Column({ name: 'location_id', type: 'varchar', length: 128 }) locationId!: string;
  @Column({ name: 'booking_id', type: 'varchar', length: 40, nullable: true }) bookingId!: string | null;
  @Column({ name: 'match_method', type: 'varchar', length: 16, nullable: true }) matchMethod!: SaleMatch | null;
  @Column({ type: 'varchar', length: 16 }) status!: SaleStatus;
  @Column({ type: 'bigint' }) total!: number;
  @Column({ type: 'bigint', nullable: true }) subtotal!: number | null;
  @Column({ type: 'bigint', nullable: true }) tax!: number | null;
  @Column({ type: 'bigint', nullable: true }) tip!: number | null;
  @Column({ type: 'bigint', nullable: true }) discount!: number | null;
  @Column({ type: 'char', length: 3 }) currency!: string;
  /** The POS's own table id or number, as sent. */
  @Column({ name: 'table_number', type: 'varchar', length: 128, nullable: true }) tableNumber!: string | null;
  /** The venue table it names (through the location's aliases), else the table number as sent: what re-matching compares. */
  @Column({ name: 'venue_table_number', type: 'varchar', length: 128, nullable: true }) venueTableNumber!: string | null;
  @Column({ type: 'int', nullable: true }) covers!: number | null;
  @Column({ name: 'opened_at', type: 'datetime', precision: 3, nullable: true }) openedAt!: Date | null;
  @Column({ name: 'closed_at', type: 'datetime', precision: 3, nullable: true }) closedAt!: Date | null;
  @Column({ name: 'received_at', type: 'datetime', precision: 3 }) receivedAt!: Date;
  /** The instant used for table+time matching: opened_at, else closed_at, else receipt time (CONTRACT §5). */
  @Column({ name: 'match_at', type: 'datetime', precision: 3 }) matchAt!: Date;
  /** The payload's own version or update timestamp; an older one arriving late never overwrites a newer one. */
  @Column({ name: 'source_version', type: 'varchar', length: 64, nullable: true }) sourceVersion!: string | null;
  @Column({ type: 'json', nullable: true }) payments!: StoredPayment[] | null;
  @Column({ type: 'int' }) version!: number;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
}
