import type { Queue, QueueEvents } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import type { SessionPool } from './db/session-pool';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { RedisClient, RedisConnections } from './redis-connections';
import type { SecretBox } from './secret-box';

/**
 * The infrastructure the composition root builds, and all a platform-level process (a worker, a sweep, the
 * ingest edge) needs: no module's service. AppDeps adds the modules' doors; code that takes PlatformDeps
 * (plus the one door it calls, spelled out) does not depend on every module through AppDeps.
 */
export interface PlatformDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly dataSource: DataSource;
  /**
   * Connections of the same database for hot transactions that send several statements per round trip
   * (POST /bookings). Separate from the DataSource's pool; a transaction holds one connection of one pool.
   */
  readonly sessionPool: SessionPool;
  /** Commands (locks, caches, rate limits). Fails fast while Redis is down instead of queueing commands. */
  readonly redis: RedisClient;
  /** Makes extra connections (BullMQ workers, pub/sub subscribers) of the same Redis or Redis Cluster. */
  readonly redisConnections: RedisConnections;
  readonly queues: {
    readonly inboundEvents: Queue;
    readonly webhookDeliveries: Queue;
    /** The repeatable expiry sweep of booking requests (src/modules/diary/request-expiry.ts). */
    readonly requestExpiry: Queue;
    readonly emails: Queue;
  };
  /**
   * Completion events of inbound-event jobs (ack mode `processed`); null in the worker role. Opened on
   * first use: a QueueEvents reader parses every event of the queue (two per queued job), a cost only
   * partners with ack `processed` need.
   */
  readonly inboundEventsEvents: (() => QueueEvents) | null;
  readonly secretBox: SecretBox;
  readonly metrics: Metrics;
  /** Prefix for every Redis key this app writes (per test run in tests). */
  readonly keyPrefix: string;
}
