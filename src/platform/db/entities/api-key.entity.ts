import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'api_keys' })
export class ApiKey {
  @PrimaryColumn({ type: 'varchar', length: 40 }) id!: string;
  @Column({ name: 'venue_id', type: 'varchar', length: 40 }) venueId!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  /** SHA-256 hex of the full key; the key itself is never stored. */
  @Column({ name: 'key_hash', type: 'char', length: 64 }) keyHash!: string;
  /** First characters of the key, for humans telling keys apart. */
  @Column({ type: 'varchar', length: 24 }) prefix!: string;
  @Column({ type: 'json' }) scopes!: string[];
  @Column({ name: 'rate_limit_per_minute', type: 'int' }) rateLimitPerMinute!: number;
  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true }) revokedAt!: Date | null;
  @Column({ name: 'last_used_at', type: 'datetime', precision: 3, nullable: true }) lastUsedAt!: Date | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
