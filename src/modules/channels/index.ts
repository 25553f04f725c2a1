/**
 * Booking channels (CONTRACT §11, §15): a concierge, a corporate booker, an AI assistant acting for many
 * venues. A channel has keys of its own (shown once, stored as SHA-256 hashes like venue keys), and venues
 * let it in one by one (`can_book`: book, or only send requests). The door of the module: the admin routes
 * and the key lookup of the access layer call these, never the SQL below.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { notFound } from '../../platform/app-error';
import { newId } from '../../platform/ids';

/** Channel keys call the booking API like venue keys, so they look alike (CONTRACT §6: `Bearer ts_live_…`). */
export const CHANNEL_KEY_PREFIX = 'ts_live_';

/** @defaultValue 60 requests per minute per key, as venue keys */
export const DEFAULT_CHANNEL_RATE_LIMIT = 60;

export interface ChannelView {
  id: string;
  name: string;
  created_at: string;
}

export interface ChannelKeyView {
  id: string;
  /** Shown this once. */
  key: string;
  name: string;
  channel_id: string;
  prefix: string;
  rate_limit_per_minute: number;
  created_at: string;
}

export interface GrantView {
  venue_id: string;
  channel_id: string;
  can_book: boolean;
  created_at: string;
  updated_at: string;
}

/** A channel key as the access layer knows it (found by the key's hash). */
export interface ChannelKeyRecord {
  keyId: string;
  channelId: string;
  channelName: string;
  rateLimitPerMinute: number;
}

/** A channel's grant at one venue, with the venue's fields a principal needs. */
export interface ChannelGrantRecord {
  canBook: boolean;
  venue: { id: string; timezone: string; currency: string; country: string | null; plan: string };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export async function createChannel(em: EntityManager, input: { name: string }, now = new Date()): Promise<ChannelView> {
  const id = newId('chn');
  await em.query('INSERT INTO channels (id, name, created_at) VALUES (?, ?, ?)', [id, input.name, now]);
  return { id, name: input.name, created_at: now.toISOString() };
}

export async function listChannels(em: EntityManager): Promise<ChannelView[]> {
  const rows = (await em.query('SELECT id, name, created_at FROM channels ORDER BY id')) as { id: string; name: string; created_at: Date }[];
  return rows.map((r) => ({ id: r.id, name: r.name, created_at: r.created_at.toISOString() }));
}

async function assertChannel(em: EntityManager, channelId: string): Promise<void> {
  const rows = (await em.query('SELECT id FROM channels WHERE id = ?', [channelId])) as unknown[];
  if (!rows.length) throw notFound('Channel');
}

/** Issues a key: the plain key is returned once; only its SHA-256 hash and a short prefix are stored. */
export async function issueChannelKey(
  em: EntityManager,
  channelId: string,
  input: { name: string; rate_limit_per_minute?: number },
  now = new Date(),
): Promise<ChannelKeyView> {
  await assertChannel(em, channelId);
  const key = `${CHANNEL_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  const id = newId('chk');
  const rate = input.rate_limit_per_minute ?? DEFAULT_CHANNEL_RATE_LIMIT;
  await em.query(
    `INSERT INTO channel_api_keys (id, channel_id, name, key_hash, prefix, rate_limit_per_minute, revoked_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, NULL, ?)`,
    [id, channelId, input.name, sha256(key), key.slice(0, 12), rate, now],
  );
  return { id, key, name: input.name, channel_id: channelId, prefix: key.slice(0, 12), rate_limit_per_minute: rate, created_at: now.toISOString() };
}

/** Revokes one of the channel's keys (another channel's, or an unknown one: 404). */
export async function revokeChannelKey(em: EntityManager, channelId: string, keyId: string, now = new Date()): Promise<void> {
  const result = (await em.query('UPDATE channel_api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND channel_id = ?', [now, keyId, channelId])) as {
    affectedRows?: number;
  };
  if (!result.affectedRows) throw notFound('Channel key');
}

/** Lets the channel in at the venue (or changes can_book): one grant per (venue, channel). */
export async function grantChannel(em: EntityManager, venueId: string, channelId: string, canBook: boolean, now = new Date()): Promise<GrantView> {
  const venue = (await em.query('SELECT id FROM venues WHERE id = ?', [venueId])) as unknown[];
  if (!venue.length) throw notFound('Venue');
  await assertChannel(em, channelId);
  await em.query(
    `INSERT INTO channel_grants (venue_id, channel_id, can_book, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE can_book = VALUES(can_book), updated_at = VALUES(updated_at)`,
    [venueId, channelId, canBook ? 1 : 0, now, now],
  );
  const [row] = (await em.query('SELECT created_at, updated_at FROM channel_grants WHERE venue_id = ? AND channel_id = ?', [venueId, channelId])) as {
    created_at: Date;
    updated_at: Date;
  }[];
  return { venue_id: venueId, channel_id: channelId, can_book: canBook, created_at: row!.created_at.toISOString(), updated_at: row!.updated_at.toISOString() };
}

/** Withdraws the channel's access to the venue (no grant: 404). Its bookings stay; its key sees them no more. */
export async function withdrawChannel(em: EntityManager, venueId: string, channelId: string): Promise<void> {
  const result = (await em.query('DELETE FROM channel_grants WHERE venue_id = ? AND channel_id = ?', [venueId, channelId])) as { affectedRows?: number };
  if (!result.affectedRows) throw notFound('Channel grant');
}

/** The live (not revoked) channel key with this SHA-256 hash, or null. */
export async function findChannelKey(ds: DataSource, keyHash: string): Promise<ChannelKeyRecord | null> {
  const rows = (await ds.query(
    `SELECT k.id, k.channel_id, k.rate_limit_per_minute, c.name
       FROM channel_api_keys k JOIN channels c ON c.id = k.channel_id WHERE k.key_hash = ? AND k.revoked_at IS NULL`,
    [keyHash],
  )) as { id: string; channel_id: string; rate_limit_per_minute: number; name: string }[];
  const row = rows[0];
  return row ? { keyId: row.id, channelId: row.channel_id, channelName: row.name, rateLimitPerMinute: row.rate_limit_per_minute } : null;
}

/**
 * The live channel key with this hash together with its channel's grant at the venue (one statement), or
 * null: no such key, revoked, or the venue has not let the channel in (or withdrew).
 */
export async function findChannelKeyAtVenue(ds: DataSource, keyHash: string, venueId: string): Promise<(ChannelKeyRecord & ChannelGrantRecord) | null> {
  const rows = (await ds.query(
    `SELECT k.id AS key_id, k.channel_id, k.rate_limit_per_minute, c.name, g.can_book, v.id, v.timezone, v.currency, v.country, v.plan
       FROM channel_api_keys k
       JOIN channels c ON c.id = k.channel_id
       JOIN channel_grants g ON g.channel_id = k.channel_id AND g.venue_id = ?
       JOIN venues v ON v.id = g.venue_id
      WHERE k.key_hash = ? AND k.revoked_at IS NULL`,
    [venueId, keyHash],
  )) as {
    key_id: string; channel_id: string; rate_limit_per_minute: number; name: string; can_book: number;
    id: string; timezone: string; currency: string; country: string | null; plan: string;
  }[];
  const row = rows[0];
  if (!row) return null;
  return {
    keyId: row.key_id, channelId: row.channel_id, channelName: row.name, rateLimitPerMinute: row.rate_limit_per_minute,
    canBook: Number(row.can_book) === 1,
    venue: { id: row.id, timezone: row.timezone, currency: row.currency, country: row.country, plan: row.plan },
  };
}

/** A booking's `source` when a channel's key makes it (CONTRACT "Status values, updated"). */
export function channelSource(channelName: string): string {
  return `channel:${channelName}`;
}
