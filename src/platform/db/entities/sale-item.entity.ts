import { Column, Entity, PrimaryColumn } from 'typeorm';
import { decimalNumber } from './columns';

@Entity({ name: 'sale_items' })
export class SaleItem {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  /** sales.id (not the POS's sale id). */
  @Column({ name: 'sale_row_id', type: 'varchar', length: 40 }) saleRowId!: string;
  @Column({ type: 'int' }) position!: number;
  @Column({ type: 'varchar', length: 255 }) name!: string;
  @Column({ type: 'decimal', precision: 12, scale: 3, transformer: decimalNumber }) quantity!: number;
  @Column({ name: 'unit_price', type: 'bigint', nullable: true }) unitPrice!: number | null;
  @Column({ type: 'bigint' }) total!: number;
  @Column({ type: 'varchar', length: 128, nullable: true }) sku!: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) category!: string | null;
}
