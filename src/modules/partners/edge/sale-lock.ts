import { LuaScript } from '../../../platform/lua-script';
import type { RedisClient as Redis } from '../../../platform/redis-connections';

/**
 * The per-(partner, sale id) lock that keeps one event of a sale queued or in flight at a time
 * (CONTRACT §4), after Medusa's redis-lock: the owner is the event id, every change is owner-checked
 * in Lua, and several sale ids are taken all-or-nothing.
 *
 * Each sale has two keys:
 * - `lock`: the event id holding the sale (SET NX PX). The TTL is only a safety net: a worker that dies
 *   leaves the job to BullMQ's stalled-job recovery, and the recovered job has the same event id, so
 *   it still owns the lock.
 * - `waiting`: event ids lined up behind the holder, in arrival order (partner option
 *   `conflict: "queue"`, or an event whose lock expired while it sat in a long queue). Whoever releases
 *   a sale gets the heads of its lists back and wakes those jobs; a waiting event may take a sale only
 *   when the lock is free and it is first in line, so nothing is reordered.
 * Arrival order is decided inside one Lua call, so every list is ordered the same way and two events
 * can never wait for each other.
 */

/** @defaultValue 5 minutes: covers a queued event and its processing; the worker extends it on retries. */
export const DEFAULT_SALE_LOCK_TTL_MS = 5 * 60_000;
/** Waiting lists live long: events may wait behind a backlog. Refreshed on every push. */
const WAITING_TTL_MS = 24 * 60 * 60_000;

/**
 * Every key of one partner's sales carries the hash tag `{partner}`: on a Redis Cluster they share a slot,
 * so a script may take several sales of an event at once. A partner's locks are thus served by one master
 * (tens of thousands of scripts a second, far more than the database applies); partners spread over masters.
 */
function keysFor(prefix: string, partner: string, saleIds: readonly string[]): string[] {
  const keys: string[] = [];
  // Sorted so that two callers always list the same sales in the same order.
  for (const saleId of [...new Set(saleIds)].sort()) {
    keys.push(`${prefix}:lock:sale:{${partner}}:${saleId}`, `${prefix}:lock:sale-waiting:{${partner}}:${saleId}`);
  }
  return keys;
}

// KEYS: lock1, waiting1, lock2, waiting2, …  ARGV: owner, ttl ms, mode ('reject' | 'queue'), waiting ttl ms
const ARRIVE = `
local owner = ARGV[1]
local n = #KEYS / 2
local free = true
for i = 1, n do
  local holder = redis.call('GET', KEYS[2*i-1])
  if (holder and holder ~= owner) or redis.call('LLEN', KEYS[2*i]) > 0 then free = false break end
end
if free then
  for i = 1, n do redis.call('SET', KEYS[2*i-1], owner, 'PX', ARGV[2]) end
  return 'acquired'
end
if ARGV[3] ~= 'queue' then return 'held' end
for i = 1, n do
  redis.call('RPUSH', KEYS[2*i], owner)
  redis.call('PEXPIRE', KEYS[2*i], ARGV[4])
end
return 'waiting'
`;

// Returns {'claimed'} or {'blocked', blocker, blocker lock pttl (-2 when the blocker is a waiting head)}.
const CLAIM = `
local owner = ARGV[1]
local n = #KEYS / 2
for i = 1, n do
  local holder = redis.call('GET', KEYS[2*i-1])
  local blocker = nil
  local pttl = -2
  if holder and holder ~= owner then
    blocker = holder
    pttl = redis.call('PTTL', KEYS[2*i-1])
  elseif not holder then
    local head = redis.call('LINDEX', KEYS[2*i], 0)
    if head and head ~= owner then blocker = head end
  end
  if blocker then
    for j = 1, n do
      if redis.call('GET', KEYS[2*j-1]) ~= owner and not redis.call('LPOS', KEYS[2*j], owner) then
        redis.call('RPUSH', KEYS[2*j], owner)
        redis.call('PEXPIRE', KEYS[2*j], ARGV[3])
      end
    end
    return {'blocked', blocker, pttl}
  end
end
for i = 1, n do
  redis.call('SET', KEYS[2*i-1], owner, 'PX', ARGV[2])
  redis.call('LREM', KEYS[2*i], 0, owner)
end
return {'claimed'}
`;

// For each owner (several when a batch of events finishes together): releases what it holds, leaves every
// line it stands in, and collects the heads now first in line. ARGV: owner1, pairs1, owner2, pairs2, …,
// each owner's lock/waiting pairs following the previous owner's in KEYS. Returns the heads per owner.
const RELEASE_MANY = `
local out = {}
local k = 0
for g = 1, #ARGV, 2 do
  local owner = ARGV[g]
  local heads = {}
  for i = 1, tonumber(ARGV[g + 1]) do
    local lock, waiting = KEYS[k + 2*i - 1], KEYS[k + 2*i]
    if redis.call('GET', lock) == owner then redis.call('DEL', lock) end
    redis.call('LREM', waiting, 0, owner)
    if redis.call('GET', lock) == false then
      local head = redis.call('LINDEX', waiting, 0)
      if head then table.insert(heads, head) end
    end
  end
  k = k + 2 * tonumber(ARGV[g + 1])
  table.insert(out, heads)
end
return out
`;

const EXTEND = `
local extended = 0
for i = 1, #KEYS / 2 do
  if redis.call('GET', KEYS[2*i-1]) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[2*i-1], ARGV[2])
    extended = extended + 1
  end
end
return extended
`;

// Drops an id from the lines (a waiting event whose job no longer exists).
const LEAVE = `
for i = 1, #KEYS / 2 do redis.call('LREM', KEYS[2*i], 0, ARGV[1]) end
return 1
`;

const SCRIPTS = {
  arrive: new LuaScript(ARRIVE),
  claim: new LuaScript(CLAIM),
  releaseMany: new LuaScript(RELEASE_MANY),
  extend: new LuaScript(EXTEND),
  leave: new LuaScript(LEAVE),
};

export type ArriveResult = 'acquired' | 'held' | 'waiting';

export type ClaimResult =
  | { claimed: true }
  | {
      claimed: false;
      /** The event that must go first: the lock holder, or the event first in line. */
      blocker: string;
      /** Remaining ms of the blocker's lock; null when the blocker is waiting in line (lock free). */
      blockerTtlMs: number | null;
    };

export class SaleLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly ttlMs: number = DEFAULT_SALE_LOCK_TTL_MS,
  ) {}

  /**
   * At ingestion: takes every sale for `owner` when all are free and nobody waits for them. Otherwise
   * `held` (mode reject: answer 409, nothing kept) or, in mode queue, `owner` joins the end of each line.
   */
  async arrive(partner: string, saleIds: readonly string[], owner: string, mode: 'reject' | 'queue'): Promise<ArriveResult> {
    if (saleIds.length === 0) return 'acquired';
    const keys = keysFor(this.prefix, partner, saleIds);
    return (await SCRIPTS.arrive.run(this.redis, keys, owner, this.ttlMs, mode, WAITING_TTL_MS)) as ArriveResult;
  }

  /** In the worker, before applying: owns every sale (taking free ones it is first in line for), or stands in line. */
  async claim(partner: string, saleIds: readonly string[], owner: string): Promise<ClaimResult> {
    if (saleIds.length === 0) return { claimed: true };
    const keys = keysFor(this.prefix, partner, saleIds);
    const res = (await SCRIPTS.claim.run(this.redis, keys, owner, this.ttlMs, WAITING_TTL_MS)) as [
      string,
      string?,
      number?,
    ];
    if (res[0] === 'claimed') return { claimed: true };
    const ttl = Number(res[2]);
    return { claimed: false, blocker: String(res[1]), blockerTtlMs: ttl >= 0 ? ttl : null };
  }

  /** Owner-checked release (compare-and-delete). Returns the event ids now first in line, to be woken. */
  async release(partner: string, saleIds: readonly string[], owner: string): Promise<string[]> {
    return (await this.releaseMany([{ partner, saleIds, owner }]))[0]!;
  }

  /**
   * release() for several owners in one round trip (events finishing together). Returns, per entry, the
   * event ids now first in line, exactly as release() would for it alone.
   */
  async releaseMany(entries: readonly { partner: string; saleIds: readonly string[]; owner: string }[]): Promise<string[][]> {
    const out: string[][] = entries.map(() => []);
    // One script per partner (one hash slot each on a cluster); the calls go out together (auto-pipelining).
    const byPartner = new Map<string, number[]>();
    entries.forEach((e, i) => {
      if (e.saleIds.length) byPartner.set(e.partner, [...(byPartner.get(e.partner) ?? []), i]);
    });
    await Promise.all(
      [...byPartner.values()].map(async (indexes) => {
        const keys: string[] = [];
        const args: (string | number)[] = [];
        for (const i of indexes) {
          const mine = keysFor(this.prefix, entries[i]!.partner, entries[i]!.saleIds);
          keys.push(...mine);
          args.push(entries[i]!.owner, mine.length / 2);
        }
        const heads = (await SCRIPTS.releaseMany.run(this.redis, keys, ...args)) as string[][];
        indexes.forEach((entry, k) => (out[entry] = [...new Set(heads[k])]));
      }),
    );
    return out;
  }

  /** Keeps the sales through a retry: TTL = `ms` from now, for the sales `owner` still holds. */
  async extend(partner: string, saleIds: readonly string[], owner: string, ms: number): Promise<number> {
    if (saleIds.length === 0) return 0;
    const keys = keysFor(this.prefix, partner, saleIds);
    return Number(await SCRIPTS.extend.run(this.redis, keys, owner, Math.max(1, Math.round(ms))));
  }

  /** Removes `owner` from the lines of these sales. */
  async leave(partner: string, saleIds: readonly string[], owner: string): Promise<void> {
    if (saleIds.length === 0) return;
    const keys = keysFor(this.prefix, partner, saleIds);
    await SCRIPTS.leave.run(this.redis, keys, owner);
  }

  /** Who holds a sale now (tests, diagnostics). */
  async holder(partner: string, saleId: string): Promise<string | null> {
    return this.redis.get(keysFor(this.prefix, partner, [saleId])[0]!);
  }
}
