import type { Queue, QueueEvents } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import type { SessionPool } from './db/session-pool';
import type { BookingWriter } from './domain/bookings/booking-writer';
import type { ManageLinks } from './domain/bookings/manage-tokens';
import type { LiveHub } from './modules/live';
import type { Logger } from './shared/logger';
import type { Metrics } from './shared/metrics';
import type { Notifications } from './modules/notifications';
import type { KeptLocations } from './pipeline/command-handlers';
import type { RedisClient, RedisConnections } from './shared/redis-connections';
import type { SecretBox } from './shared/secret-box';

/**
 * What the composition root builds and hands down. Routers, use cases and workers take this (or the
 * part they need); nothing below the composition root constructs infrastructure.
 */
export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly dataSource: DataSource;
  /**
   * Connections of the same database for hot transactions that send several statements per round trip
   * (POST /bookings). Separate from the DataSource's pool; a transaction holds one connection of one pool.
   */
  readonly sessionPool: SessionPool;
  /** POST /bookings: bookings arriving together share a transaction (booking-writer.ts). */
  readonly bookingWriter: BookingWriter;
  /** Where guests' manage links point and how a new booking's token is sealed for its email: every booking creator's (PUBLIC_URL, ENCRYPTION_KEY). */
  readonly manageLinks: ManageLinks;
  /** Commands (locks, caches, rate limits). Fails fast while Redis is down instead of queueing commands. */
  readonly redis: RedisClient;
  /** Makes extra connections (BullMQ workers, pub/sub subscribers) of the same Redis or Redis Cluster. */
  readonly redisConnections: RedisConnections;
  readonly queues: {
    readonly inboundEvents: Queue;
    readonly webhookDeliveries: Queue;
    /** The repeatable expiry sweep of booking requests (src/jobs/request-expiry.ts). */
    readonly requestExpiry: Queue;
    readonly emails: Queue;
  };
  /**
   * Completion events of inbound-event jobs (ack mode `processed`); null in the worker role. Opened on
   * first use: a QueueEvents reader parses every event of the queue (two per queued job), a cost only
   * partners with ack `processed` need.
   */
  readonly inboundEventsEvents: (() => QueueEvents) | null;
  /** `GET /api/v1/stream`'s clients in this process (one pub/sub connection); null in the worker role. */
  readonly liveHub: LiveHub | null;
  readonly secretBox: SecretBox;
  /** Emails (src/modules/notifications): the door other modules queue emails through, and the outbox subscriber's work. */
  readonly notifications: Notifications;
  readonly metrics: Metrics;
  /** The inbound worker's partner locations' venues as its last batch of reservations read them (command-handlers.ts). */
  readonly keptLocations: KeptLocations;
  /** Prefix for every Redis key this app writes (per test run in tests). */
  readonly keyPrefix: string;
}
