import { Column, Entity, PrimaryColumn } from 'typeorm';
import { tinyBool } from './columns';

export type AckMode = 'queued' | 'processed';
export type ConflictMode = 'reject' | 'queue';

@Entity({ name: 'partners' })
export class Partner {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'varchar', length: 64 }) adapter!: string;
  /** The catalog template it was made from (`POST /admin/v1/partners {name, template}`, or an installed one), else null. */
  @Column({ type: 'varchar', length: 64, nullable: true }) template!: string | null;
  @Column({ name: 'signature_scheme', type: 'varchar', length: 32 }) signatureScheme!: string;
  @Column({ name: 'signature_header', type: 'varchar', length: 128, nullable: true }) signatureHeader!: string | null;
  /** SecretBox-sealed; never returned by the API after creation. */
  @Column({ name: 'secret_encrypted', type: 'text' }) secretEncrypted!: string;
  @Column({ name: 'ack_mode', type: 'varchar', length: 16 }) ackMode!: AckMode;
  @Column({ name: 'conflict_mode', type: 'varchar', length: 16 }) conflictMode!: ConflictMode;
  @Column({ type: 'tinyint', transformer: tinyBool }) enabled!: boolean;
  /** False: the booking platform emails its own guests, so its reservations get no confirmation from us (§12). */
  @Column({ name: 'send_confirmation', type: 'tinyint', transformer: tinyBool }) sendConfirmation!: boolean;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
}
