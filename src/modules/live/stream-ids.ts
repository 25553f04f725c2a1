/**
 * The live stream's Redis layout and its event ids (CONTRACT §9, §15 "§9 stream").
 *
 * Each venue has a Redis stream, its replay buffer: one entry per outbox event (`e` the event name, `b` the
 * §7 webhook body as sent), trimmed to the last LIVE_REPLAY_MS by the same script that appends. Its entry
 * ids (`<ms>-<seq>`, assigned by Redis) are the SSE `id:`s: one sequence per venue, whichever worker
 * appended and whichever API process sends them, so a `Last-Event-ID` names a point in it. The key carries
 * the venue as its hash tag, and every script touches that one key: any slot on a Redis Cluster.
 */

/** How far back a `Last-Event-ID` reconnect is served (the contract asks for at least 5 minutes). @defaultValue 10 min */
export const LIVE_REPLAY_MS = 10 * 60_000;

/** An idle venue's buffer expires after this (longer than the replay window: nothing it still serves). @defaultValue 1 h */
export const LIVE_KEY_TTL_MS = 60 * 60_000;

/** The venue's replay buffer (a Redis stream). */
export function liveStreamKey(prefix: string, venueId: string): string {
  return `${prefix}:live:{${venueId}}`;
}

/** The one pub/sub channel every API process listens on (one subscriber connection per process). */
export function liveChannel(prefix: string): string {
  return `${prefix}:live:events`;
}

const STREAM_ID = /^(\d{1,19})-(\d{1,19})$/;

/** A Redis stream id as [ms, seq], or null when `id` is not one. */
export function parseStreamId(id: string): [bigint, bigint] | null {
  const m = STREAM_ID.exec(id);
  return m ? [BigInt(m[1]!), BigInt(m[2]!)] : null;
}

/** Orders two valid stream ids (negative: a before b). */
export function compareStreamIds(a: string, b: string): number {
  const x = parseStreamId(a)!;
  const y = parseStreamId(b)!;
  if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1;
  return x[1] === y[1] ? 0 : x[1] < y[1] ? -1 : 1;
}
