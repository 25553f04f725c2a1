import type { EventEmitter } from 'node:events';
import { Worker, type DefaultJobOptions, type Processor, type WorkerOptions } from 'bullmq';
import { outageLog, type Logger } from '../logger';
import type { RedisConnections } from '../redis-connections';

/** Queue names: lowercase kebab constants, one per kind of work. */
export const QUEUE_NAMES = {
  /** Raw POS events waiting to be mapped and applied. */
  inboundEvents: 'inbound-events',
  /** One job per (outbound message, subscribed webhook endpoint). */
  webhookDeliveries: 'webhook-deliveries',
  /** The repeatable sweep that expires booking requests past their expires_at (request-expiry.ts). */
  requestExpiry: 'request-expiry',
  /** One job per transactional email (src/modules/notifications). */
  emails: 'emails',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/**
 * BullMQ's key prefix for a queue, hash-tagged per queue (`{tablesync:inbound-events}`): on a Redis Cluster
 * every key of one queue (which BullMQ's Lua scripts use together) lands in one slot, while the two queues
 * may sit on different masters. One tag per queue rather than one for the app, since nothing uses two queues
 * in one script (no flows). Harmless on one server. BullMQ forbids ioredis `keyPrefix`, hence this.
 */
export function queuePrefix(redisPrefix: string, queue: string): string {
  return `{${redisPrefix}:${queue}}`;
}

/** Completed jobs are trimmed (BullMQ going-to-production); failed ones kept a while for inspection. */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  removeOnComplete: { age: 3600, count: 10000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 50000 },
};

/**
 * Job locks of the workers (README "Scaling out"). A worker renews the locks of all its active jobs in one
 * call every lockDuration / 2 and looks for stalled jobs (a lock gone: its worker died) every
 * stalledInterval, so a dead worker's jobs run again within about lockDuration + stalledInterval. Shorter
 * means faster takeover but more renewal traffic and a job taken over (run twice) whenever the event loop
 * of a live worker stalls longer than lockDuration; both stay well above the longest normal job.
 */
export interface WorkerLockOptions {
  lockDuration: number;
  stalledInterval: number;
  /** Recoveries of a job from dead workers before BullMQ fails it (a poison event that kills its worker). */
  maxStalledCount: number;
}

/** Inbound events: a mapping (1 s limit) and a few statements; a dead worker's events resume within ~15 s. */
export const INBOUND_WORKER_LOCKS: Readonly<WorkerLockOptions> = Object.freeze({ lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 2 });

/** Webhook deliveries: one POST of up to 10 s each; taken over within ~25 s. */
export const DELIVERY_WORKER_LOCKS: Readonly<WorkerLockOptions> = Object.freeze({ lockDuration: 20_000, stalledInterval: 5_000, maxStalledCount: 2 });

/** What every BullMQ worker of the app needs besides its processor and its own options. */
export interface WorkerSetup {
  readonly redisConnections: RedisConnections;
  /** The app's Redis prefix (config.redisPrefix); the queue's hash-tagged prefix is built from it. */
  readonly redisPrefix: string;
  /** Where its Redis outages are reported. */
  readonly logger: Logger;
  /** The Redis connection name (CLIENT LIST) of its connections. */
  readonly connectionName: string;
}

/**
 * The one place a BullMQ worker is built: its own waiting connections, the queue's prefix, and Redis
 * errors reported once per outage (an outage repeats the error on every reconnect attempt).
 */
export function createWorker<Data, Result>(
  setup: WorkerSetup,
  queue: QueueName,
  processor: Processor<Data, Result>,
  options: Omit<WorkerOptions, 'connection' | 'prefix'>,
): Worker<Data, Result> {
  const worker = new Worker<Data, Result>(queue, processor, {
    connection: setup.redisConnections.bullmq(setup.connectionName),
    prefix: queuePrefix(setup.redisPrefix, queue),
    ...options,
  });
  worker.on('error', (err) => outageLog('redis').report(setup.logger, err, { queue }));
  return worker;
}

/**
 * Closes a BullMQ worker gracefully (active jobs finish). A worker whose connections are still starting
 * gets a short while to become ready first; while Redis is down it never will, hence the bound, and then
 * its connections are closed mid-start (see muteLateConnectionErrors).
 */
export async function closeWorker(worker: { waitUntilReady(): Promise<unknown>; close(): Promise<void> }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 2000);
  });
  await Promise.race([worker.waitUntilReady().catch(() => undefined), giveUp]);
  clearTimeout(timer);
  muteLateConnectionErrors(worker);
  await worker.close();
}

/**
 * BullMQ (5.81) closes a connection that never reached Redis by dropping every listener it has, and only
 * then does the connection's failed start re-emit as an 'error' event, which no one can listen to any more:
 * an uncaught exception that kills the process (seen when stopping while Redis is down). So on the
 * connections of a BullMQ worker, queue or queue-events reader (its protected `connection` and, for a
 * worker, `blockingConnection`), an 'error' with no listener left is dropped; while anyone listens, errors
 * pass as before. Call it before closing.
 */
export function muteLateConnectionErrors(bullmqObject: object): void {
  for (const field of ['connection', 'blockingConnection']) {
    const connection = (bullmqObject as Record<string, unknown>)[field] as EventEmitter | undefined;
    if (!connection || typeof connection.emit !== 'function') continue;
    const emit = connection.emit.bind(connection);
    connection.emit = (event: string | symbol, ...args: unknown[]): boolean =>
      event === 'error' && connection.listenerCount('error') === 0 ? false : emit(event, ...args);
  }
}
