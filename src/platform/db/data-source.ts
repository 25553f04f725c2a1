import 'reflect-metadata';
import mysql from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { InitialSchema1764000000000 } from '../../../migrations/1764000000000-InitialSchema';
import { DiaryDays1765000000000 } from '../../../migrations/1765000000000-DiaryDays';
import { InboundEventsStatusIndex1766000000000 } from '../../../migrations/1766000000000-InboundEventsStatusIndex';
import { TableAliasesAndOutcomes1767000000000 } from '../../../migrations/1767000000000-TableAliasesAndOutcomes';
import { People1767100000000 } from '../../../migrations/1767100000000-People';
import { VenueSettings1767200000000 } from '../../../migrations/1767200000000-VenueSettings';
import { ReservationBookings1767500000000 } from '../../../migrations/1767500000000-ReservationBookings';
import { RequestsAndChannels1767700000000 } from '../../../migrations/1767700000000-RequestsAndChannels';
import { GuestsManageTokensEmailsEnquiries1767400000000 } from '../../../migrations/1767400000000-GuestsManageTokensEmailsEnquiries';
import { Reviews1767800000000 } from '../../../migrations/1767800000000-Reviews';
import { AnalyticsIndexes1767300000000 } from '../../../migrations/1767300000000-AnalyticsIndexes';
import { MappingLiveTemplateAndEventHeaders1767600000000 } from '../../../migrations/1767600000000-MappingLiveTemplateAndEventHeaders';
import { ALL_ENTITIES } from './entities';
import { CommitHooks } from './after-commit';

/** Explicit migration list, in order. */
export const MIGRATIONS = [
  InitialSchema1764000000000, DiaryDays1765000000000, InboundEventsStatusIndex1766000000000, TableAliasesAndOutcomes1767000000000,
  People1767100000000, VenueSettings1767200000000, AnalyticsIndexes1767300000000, GuestsManageTokensEmailsEnquiries1767400000000,
  ReservationBookings1767500000000,
  MappingLiveTemplateAndEventHeaders1767600000000, RequestsAndChannels1767700000000, Reviews1767800000000,
];

interface DbParts {
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
}

export function parseDatabaseUrl(databaseUrl: string): DbParts {
  const u = new URL(databaseUrl);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'tablesync';
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    username: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password || ''),
    database,
  };
}

/** CONTRACT §1: the database is created if missing. */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const p = parseDatabaseUrl(databaseUrl);
  if (!/^[A-Za-z0-9_$-]+$/.test(p.database)) throw new Error(`Unsupported database name "${p.database}"`);
  const conn = await mysql.createConnection({
    host: p.host, port: p.port, user: p.username, password: p.password, connectTimeout: 5000,
  });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${p.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

export function createDataSource(databaseUrl: string, opts: { poolSize?: number } = {}): DataSource {
  const p = parseDatabaseUrl(databaseUrl);
  return new DataSource({
    type: 'mysql',
    host: p.host,
    port: p.port,
    username: p.username,
    password: p.password,
    database: p.database,
    entities: ALL_ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    // Work waiting for a transaction's commit (after-commit.ts), e.g. waking this process's outbox relay.
    subscribers: [CommitHooks],
    synchronize: false,
    // Instants are stored and read as UTC.
    timezone: 'Z',
    // DATE columns are venue-local calendar days: read them as 'YYYY-MM-DD', never through the process's zone.
    dateStrings: ['DATE'],
    // BIGINT money comes back as a number while it is safe (it always is for minor units).
    supportBigNumbers: true,
    bigNumberStrings: false,
    poolSize: opts.poolSize ?? 20,
    connectTimeout: 5000,
    logging: false,
  });
}
