import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connections';

/**
 * A Lua script run by its SHA (EVALSHA), so the hot path does not send and hash the source on every call;
 * the source goes once, the first time (or again after a SCRIPT FLUSH / a Redis restart: NOSCRIPT). On a
 * Redis Cluster every key a script touches must share one hash slot.
 */
export class LuaScript {
  private readonly sha: string;
  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisClient, keys: readonly string[], ...args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
