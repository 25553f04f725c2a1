import { LuaScript } from '../../platform/lua-script';
import type { RedisClient } from '../../platform/redis-connections';
import { LIVE_KEY_TTL_MS, LIVE_REPLAY_MS, liveChannel, liveStreamKey } from './stream-ids';

/** One outbox event as the live stream carries it. */
export interface LiveEvent {
  venueId: string;
  /** The §7 event name (`sale.matched`, …): the SSE `event:`. */
  event: string;
  /** The §7 webhook body (`{id, event, created_at, data}`), as the webhook gets it: the SSE `data:`. */
  body: string;
}

/**
 * Appends a venue's events to its replay buffer and publishes each with the id Redis gave it, in one
 * atomic step per venue (so the order on the channel is the order in the buffer), then trims the buffer
 * to the replay window and renews its expiry. The message is `venue \n id \n event \n body` (the body is
 * JSON: no raw newline), which API processes split without parsing the body.
 * KEYS[1] the buffer; ARGV: channel, replay ms, ttl ms, venue id, then (event, body) pairs.
 */
const PUBLISH = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ids = {}
for i = 5, #ARGV, 2 do
  local id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[i], 'b', ARGV[i + 1])
  redis.call('PUBLISH', ARGV[1], ARGV[4] .. '\\n' .. id .. '\\n' .. ARGV[i] .. '\\n' .. ARGV[i + 1])
  ids[#ids + 1] = id
end
redis.call('XTRIM', KEYS[1], 'MINID', '~', string.format('%.0f', now - tonumber(ARGV[2])) .. '-0')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return ids
`);

/**
 * Publishes outbox events to the live stream (the relay's `live` subscriber): one script call per venue of
 * the pass, all sent at once (the commands connection pipelines them). At least once, like webhooks: a
 * pass that fails after this is handed again, and its events are appended again with new ids; clients
 * dedupe on the body's `id` (`msg_…`), as webhook receivers do.
 */
export async function publishLiveEvents(redis: RedisClient, prefix: string, events: readonly LiveEvent[]): Promise<void> {
  const byVenue = new Map<string, LiveEvent[]>();
  for (const e of events) {
    const list = byVenue.get(e.venueId);
    if (list) list.push(e);
    else byVenue.set(e.venueId, [e]);
  }
  const channel = liveChannel(prefix);
  await Promise.all(
    [...byVenue].map(([venueId, list]) =>
      PUBLISH.run(redis, [liveStreamKey(prefix, venueId)], channel, LIVE_REPLAY_MS, LIVE_KEY_TTL_MS, venueId, ...list.flatMap((e) => [e.event, e.body])),
    ),
  );
}

/**
 * The buffer's newest id, or (empty) `<Redis time in ms>-0`, and Redis' clock: where a new stream starts
 * and the clock the replay window is measured by (ids carry Redis' time, not this process's).
 */
const TOP = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local nowText = string.format('%.0f', now)
if last[1] then return { last[1][1], nowText } end
return { nowText .. '-0', nowText }
`);

export async function streamTop(redis: RedisClient, prefix: string, venueId: string): Promise<{ top: string; nowMs: number }> {
  const [top, now] = (await TOP.run(redis, [liveStreamKey(prefix, venueId)])) as [string, string];
  return { top, nowMs: Number(now) };
}

/** Entries after `afterId` (exclusive), oldest first, at most `count`: [id, event, body]. */
export async function entriesAfter(redis: RedisClient, prefix: string, venueId: string, afterId: string, count: number): Promise<[string, string, string][]> {
  const rows = (await redis.xrange(liveStreamKey(prefix, venueId), `(${afterId}`, '+', 'COUNT', count)) as [string, string[]][];
  return rows.map(([id, fields]) => {
    let event = '';
    let body = '';
    for (let i = 0; i < fields.length; i += 2) {
      if (fields[i] === 'e') event = fields[i + 1]!;
      else if (fields[i] === 'b') body = fields[i + 1]!;
    }
    return [id, event, body];
  });
}
