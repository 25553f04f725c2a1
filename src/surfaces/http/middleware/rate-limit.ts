import type { RequestHandler } from 'express';
import type { RedisClient as Redis } from '../../../platform/redis-connections';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { outageLog, type Logger } from '../../../platform/logger';
import { AppError } from '../../../platform/app-error';
import { principalOf } from '../principal';

/**
 * Per-principal limit per minute (an API key's own), counted in Redis so every API process shares it (rate-limiter-flexible).
 * Sets X-RateLimit-Limit/-Remaining/-Reset (reset = unix seconds) on every response; over the limit → 429
 * rate_limited with Retry-After. If Redis cannot answer, requests pass (availability over strictness), logged.
 */
export function rateLimit(redis: Redis, keyPrefix: string, logger: Logger): RequestHandler {
  // One limiter per distinct limit; keys with the same limit share it.
  const limiters = new Map<number, RateLimiterRedis>();
  const limiterFor = (points: number): RateLimiterRedis => {
    let limiter = limiters.get(points);
    if (!limiter) {
      limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${keyPrefix}:rl:${points}`, points, duration: 60 });
      limiters.set(points, limiter);
    }
    return limiter;
  };

  return async (_req, res, next) => {
    const rateLimit = principalOf(res).rateLimit;
    if (!rateLimit) return next();
    const limit = rateLimit.perMinute;
    const setHeaders = (r: RateLimiterRes) => {
      res.setHeader('X-RateLimit-Limit', String(limit));
      res.setHeader('X-RateLimit-Remaining', String(Math.max(0, r.remainingPoints)));
      res.setHeader('X-RateLimit-Reset', String(Math.ceil((Date.now() + r.msBeforeNext) / 1000)));
    };
    try {
      setHeaders(await limiterFor(limit).consume(rateLimit.bucket));
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        setHeaders(err);
        const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw new AppError('rate_limited', `Rate limit of ${limit} requests per minute exceeded.`, { limit, retry_after_seconds: retryAfter }, {
          'Retry-After': String(retryAfter),
        });
      }
      outageLog('redis').report(logger, err, { component: 'rate-limit', outcome: 'request allowed' });
      res.setHeader('X-RateLimit-Limit', String(limit));
      res.setHeader('X-RateLimit-Remaining', String(limit));
      res.setHeader('X-RateLimit-Reset', String(Math.ceil(Date.now() / 1000) + 60));
    }
    next();
  };
}
