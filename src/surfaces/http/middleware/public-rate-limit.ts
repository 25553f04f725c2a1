/**
 * The public widget API's limit (CONTRACT §10, §15): PUBLIC_RATE_LIMIT_PER_MINUTE requests per client IP
 * per route pattern and method, over a true sliding window of the last 60 s, shared by every process.
 *
 * Why a small Lua script over a sorted set rather than rate-limiter-flexible (which the API keys use):
 * rate-limiter-flexible's Redis limiter counts fixed windows (a client can send twice the limit across a
 * window boundary), and its sub-window workarounds only approximate. Here each (IP, route) is one sorted set
 * of request times: one atomic script drops times older than 60 s, counts the rest, and adds this request
 * when under the limit, with Redis's own clock (TIME), so processes with skewed clocks agree. A refused
 * request is not recorded, so a client that keeps knocking is let in again as its old requests age out.
 * Each call touches one key, so it works on a Redis Cluster as on one server (the key is hash-tagged
 * whole, so a future second key of the same client would share its slot). Memory is one small entry per
 * request in the window (60 by default).
 *
 * The client is `req.ip`: the socket's address unless TRUST_PROXY believes the proxy's X-Forwarded-For.
 * An IPv6 client is counted by its /64 (one household or host usually has a whole /64). If Redis cannot
 * answer, the request passes (logged), as the API keys' limit does: availability over strictness.
 */
import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../../../platform/app-error';
import { outageLog, type Logger } from '../../../platform/logger';
import type { RedisClient } from '../../../platform/redis-connections';

export const PUBLIC_WINDOW_MS = 60_000;

const SLIDING_WINDOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
  count = count + 1
  allowed = 1
end
redis.call('PEXPIRE', KEYS[1], window)
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local reset_in = window
if oldest[2] then reset_in = tonumber(oldest[2]) + window - now end
return {allowed, count, reset_in, now}
`;

type SlidingWindowClient = RedisClient & {
  tablesyncSlidingWindow(key: string, windowMs: number, limit: number, member: string): Promise<[number, number, number, number]>;
};

/** Registers the script once per client (ioredis sends EVALSHA, and the script on NOSCRIPT). */
function withScript(redis: RedisClient): SlidingWindowClient {
  const client = redis as SlidingWindowClient;
  if (typeof client.tablesyncSlidingWindow !== 'function') {
    redis.defineCommand('tablesyncSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
  }
  return client;
}

/** The client's address as counted: IPv4 (also IPv4-mapped IPv6) whole, IPv6 by its /64. */
export function clientBucket(ip: string | undefined): string {
  const address = (ip ?? 'unknown').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g || '0', 16).toString(16)).join(':')}::/64`;
}

export interface PublicRateLimitOptions {
  redis: RedisClient;
  keyPrefix: string;
  perMinute: number;
  logger: Logger;
  /** The window's length; a minute (what the setting's name says) unless a test shortens it. */
  windowMs?: number;
}

/** A limiter for one route pattern and method (`GET /venues/:slug/availability`). */
export function publicRateLimit(o: PublicRateLimitOptions, method: string, pattern: string): RequestHandler {
  const route = `${method.toUpperCase()} ${pattern}`;
  const limit = o.perMinute;
  const windowMs = o.windowMs ?? PUBLIC_WINDOW_MS;
  return async (req: Request, res, next) => {
    const key = `{${o.keyPrefix}:prl:${clientBucket(req.ip)}:${route}}`;
    let allowed: number;
    let count: number;
    let resetIn: number;
    let now: number;
    try {
      [allowed, count, resetIn, now] = await withScript(o.redis).tablesyncSlidingWindow(key, windowMs, limit, randomBytes(6).toString('base64url'));
    } catch (err) {
      outageLog('redis').report(o.logger, err, { component: 'public-rate-limit', outcome: 'request allowed' });
      res.setHeader('X-RateLimit-Limit', String(limit));
      res.setHeader('X-RateLimit-Remaining', String(limit));
      res.setHeader('X-RateLimit-Reset', String(Math.ceil((Date.now() + windowMs) / 1000)));
      return next();
    }
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - count)));
    // When the oldest request in the window ages out: the next request is let in then at the latest.
    res.setHeader('X-RateLimit-Reset', String(Math.ceil((now + resetIn) / 1000)));
    if (!allowed) {
      const retryAfter = Math.max(1, Math.ceil(resetIn / 1000));
      throw new AppError('rate_limited', `Too many requests: at most ${limit} per minute from one address to this endpoint.`, {
        limit, retry_after_seconds: retryAfter,
      }, { 'Retry-After': String(retryAfter) });
    }
    next();
  };
}
