import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, QueueEvents } from 'bullmq';
import type { Express } from 'express';
import type { DataSource } from 'typeorm';
import type { AppDeps } from './app-deps';
import type { Config } from './platform/config';
import { createDataSource } from './platform/db/data-source';
import { SessionPool, SESSION_POOL_SIZE } from './platform/db/session-pool';
import { BookingWriter, VenueLayoutCache } from './modules/diary';
import { createApp } from './surfaces/app';
import type { BackgroundProcess } from './platform/jobs/background-process';
import { DEFAULT_JOB_OPTIONS, muteLateConnectionErrors, QUEUE_NAMES, queuePrefix } from './platform/jobs/queues';
import { startRequestExpiry } from './modules/diary';
import { rematchSalesForBooking } from './modules/sales';
import { configureMappings } from './modules/partners';
import { LiveHub } from './modules/live';
import { syncFileMappings } from './modules/partners';
import { startWebhookDeliveryWorker } from './modules/webhooks';
import { startStrandedEventSweep } from './modules/partners';
import { startOutboxRelay } from './modules/events';
import { createInboundEventWorker, INBOUND_APPLY_SESSIONS } from './modules/partners';
import { createPartnerCache, KeptLocations } from './modules/partners';
import { createApiKeyCache } from './surfaces/http/middleware/api-key-cache';
import { createPeople } from './surfaces/http/session-auth';
import { createLogger, outageLog, type Logger } from './platform/logger';
import { createMetrics } from './platform/metrics';
import { RedisConnections, type RedisClient } from './platform/redis-connections';
import { SecretBox } from './platform/secret-box';
import { emailRetryScheduleOf, Notifications, startEmailWorker } from './modules/notifications';

export interface Composed {
  readonly deps: AppDeps;
  /** The Express app in roles `all` and `api`. */
  readonly app: Express | null;
  /** Listens on `port` (default config.port; 0 = any free port) at `host` (default config.host). Returns the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /** SIGTERM path: stop taking requests and jobs, finish those in flight, close connections. */
  stop(): Promise<void>;
}

function waitForReady(redis: RedisClient, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function closeWithin(p: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!p) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    p.then(
      () => { clearTimeout(timer); resolve(); },
      () => { clearTimeout(timer); resolve(); },
    );
  });
}

export interface ComposeOptions {
  logger?: Logger;
  /** Reuse an initialised DataSource (tests share one per file). */
  dataSource?: DataSource;
}

/** The ONLY place that constructs infrastructure: DataSource, Redis, queues, the app and the workers. */
export async function compose(config: Config, options: ComposeOptions = {}): Promise<Composed> {
  const logger = options.logger ?? createLogger(config.logLevel);
  configureMappings({ timeoutMs: config.mappingTimeoutMs, maxOutputBytes: config.mappingMaxOutputBytes, threads: config.mappingThreads });
  const ownsDataSource = !options.dataSource;
  const dataSource = options.dataSource ?? (await createDataSource(config.databaseUrl).initialize());
  const redisConnections = new RedisConnections(config.redis, logger);
  const redis = redisConnections.commands('tablesync-commands');
  const queueConnection = redisConnections.commands('tablesync-queues');
  // A down Redis must not stop the start (requests answer 503 until it is back), so the wait is bounded. A
  // cluster is ready only after CLUSTER SLOTS and a connection to every master: seconds on a loaded machine.
  const readyWaitMs = redisConnections.isCluster ? 15_000 : 3000;
  await Promise.all([waitForReady(redis, readyWaitMs), waitForReady(queueConnection, readyWaitMs)]);

  const queueOpts = (name: string) => ({ connection: queueConnection, prefix: queuePrefix(config.redisPrefix, name), defaultJobOptions: DEFAULT_JOB_OPTIONS });
  const queues = {
    inboundEvents: new Queue(QUEUE_NAMES.inboundEvents, queueOpts(QUEUE_NAMES.inboundEvents)),
    webhookDeliveries: new Queue(QUEUE_NAMES.webhookDeliveries, queueOpts(QUEUE_NAMES.webhookDeliveries)),
    requestExpiry: new Queue(QUEUE_NAMES.requestExpiry, queueOpts(QUEUE_NAMES.requestExpiry)),
    emails: new Queue(QUEUE_NAMES.emails, queueOpts(QUEUE_NAMES.emails)),
  };
  for (const q of Object.values(queues)) q.on('error', (err) => outageLog('redis').report(logger, err, { queue: q.name }));

  const servesHttp = config.role !== 'worker';
  const runsWorkers = config.role !== 'api';
  let queueEvents: QueueEvents | undefined;
  const inboundEventsEvents = servesHttp
    ? (): QueueEvents => {
        if (!queueEvents) {
          queueEvents = new QueueEvents(QUEUE_NAMES.inboundEvents, {
            connection: redisConnections.bullmq('tablesync-queue-events'),
            prefix: queuePrefix(config.redisPrefix, QUEUE_NAMES.inboundEvents),
            // Read from a minute back, not from "now": the job its first waiter waits for is already queued
            // and may finish before the first read is issued.
            lastEventId: `${Date.now() - 60_000}-0`,
          });
          queueEvents.on('error', (err) => outageLog('redis').report(logger, err, { component: 'queue-events' }));
        }
        return queueEvents;
      }
    : null;

  const sessionPool = new SessionPool(dataSource, SESSION_POOL_SIZE);
  const secretBox = new SecretBox(config.encryptionKey);
  const manageLinks = { publicUrl: config.publicUrl, seal: (token: string) => secretBox.encrypt(token) };
  const venueLayouts = new VenueLayoutCache();
  const deps: AppDeps = {
    config,
    logger,
    dataSource,
    sessionPool,
    bookingWriter: new BookingWriter(sessionPool, rematchSalesForBooking, venueLayouts, { links: manageLinks }),
    manageLinks,
    redis,
    redisConnections,
    queues,
    inboundEventsEvents,
    liveHub: servesHttp
      ? new LiveHub({
          subscriber: () => redisConnections.subscriber('tablesync-live'),
          redis,
          keyPrefix: config.redisPrefix,
          logger: logger.child({ component: 'live-stream' }),
          heartbeatMs: config.liveHeartbeatMs,
        })
      : null,
    secretBox,
    notifications: new Notifications({ dataSource, queue: queues.emails, secretBox, config, logger }),
    metrics: createMetrics(),
    // One of each per composed app (tests compose several side by side; none is shared).
    keptLocations: new KeptLocations(),
    venueLayouts,
    partnerCache: createPartnerCache({ dataSource, secretBox, logger, redis, keyPrefix: config.redisPrefix }),
    apiKeyCache: createApiKeyCache({ dataSource, redis, keyPrefix: config.redisPrefix }),
    people: createPeople({ dataSource, redis, keyPrefix: config.redisPrefix, config, logger }),
    keyPrefix: config.redisPrefix,
  };

  const background: BackgroundProcess[] = [];
  // Partner hub, both roles: mappings/ files into the versioned store (a bad file is logged, never fatal).
  await syncFileMappings(dataSource, deps.secretBox, logger).catch((err: unknown) => logger.error({ err }, 'file mapping sync failed'));
  if (runsWorkers) {
    // Worker-role processes register here, one line each.
    // The inbound worker's own connections (not the shared pool): it owns and closes them with itself.
    background.push(createInboundEventWorker(deps, new SessionPool(dataSource, INBOUND_APPLY_SESSIONS)));
    background.push(startOutboxRelay(deps), startWebhookDeliveryWorker(deps), startStrandedEventSweep(deps));
    background.push(startRequestExpiry(deps, rematchSalesForBooking));
    // Emails are sent only with SMTP_URL; without it they are kept (CONTRACT §10.3) and nothing is queued.
    if (config.smtpUrl) {
      background.push(startEmailWorker({
        setup: { redisConnections, redisPrefix: config.redisPrefix, logger, connectionName: 'tablesync-email-worker' },
        dataSource, queue: queues.emails, smtpUrl: config.smtpUrl, mailFrom: config.mailFrom,
        schedule: emailRetryScheduleOf(config), logger: logger.child({ component: 'email-worker' }),
      }));
    }
  }

  const app = servesHttp ? createApp(deps) : null;
  let server: Server | null = null;

  return {
    deps,
    app,
    async listen(port = config.port, host = config.host) {
      if (!app) return 0;
      server = createServer(app);
      // Keep-alive longer than a typical load balancer's idle timeout, so the LB closes first.
      server.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => resolve());
      });
      return (server.address() as AddressInfo).port;
    },
    async stop() {
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          // Open live streams would hold the server open for good: end them (browsers reconnect elsewhere).
          void deps.liveHub?.close();
          s.closeIdleConnections();
        });
      }
      await deps.liveHub?.close();
      // Workers finish their active jobs before closing.
      await Promise.allSettled(background.map((b) => b.close()));
      // A queue whose Redis never answered fails its start after the close (see muteLateConnectionErrors),
      // and closing it would wait for a reconnect forever: bound it.
      for (const closing of [queueEvents, ...Object.values(queues)]) if (closing) muteLateConnectionErrors(closing);
      await closeWithin(queueEvents?.close(), 3000);
      await Promise.allSettled(Object.values(queues).map((q) => closeWithin(q.close(), 3000)));
      redisConnections.disconnectAll();
      await deps.sessionPool.close();
      if (ownsDataSource && dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
