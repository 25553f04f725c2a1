import type { ConnectionOptions } from 'bullmq';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from './config';
import { outageLog, type Logger } from './logger';

/** A Redis connection: one server or a Redis Cluster (CONTRACT §14). Both speak the same commands. */
export type RedisClient = Redis | Cluster;

/**
 * The one place Redis connections are made (the composition root owns the instance). Each kind is built
 * for its use, on one server or on a cluster alike:
 * - `commands`: fails fast while Redis is down (503s, never hanging requests), auto-pipelined;
 * - `subscriber`: a pub/sub connection (on a cluster, PUBLISH reaches every node's subscribers);
 * - `bullmq`: for BullMQ workers and queue-events readers, which must wait forever (`maxRetriesPerRequest:
 *   null`). On one server BullMQ gets options and owns its connections; on a cluster it needs a Cluster
 *   instance, which this keeps and closes in `disconnectAll`.
 * Key layout on a cluster: BullMQ's prefix is hash-tagged per queue (jobs/queues.ts queuePrefix) and the
 * sale locks per partner (ingest/sale-lock.ts); every other key is used alone.
 */
export class RedisConnections {
  private readonly owned = new Set<RedisClient>();

  constructor(
    readonly target: RedisTarget,
    private readonly logger: Logger,
  ) {}

  get isCluster(): boolean {
    return this.target.cluster;
  }

  /** A command connection that fails fast while Redis is down. */
  commands(name: string): RedisClient {
    const common = { connectionName: name, maxRetriesPerRequest: 1, connectTimeout: 2000 };
    const retry = (times: number) => Math.min(times * 200, 2000);
    // Commands issued in the same turn of the event loop (the sale locks and queue adds of concurrent
    // requests, the releases of a batch) go out in one write: fewer syscalls on both sides.
    const client = this.target.cluster
      ? new Cluster(this.seeds(), {
          enableOfflineQueue: false,
          enableAutoPipelining: true,
          clusterRetryStrategy: retry,
          redisOptions: { ...this.auth(), ...common },
        })
      : new Redis({ ...this.single(), ...common, enableOfflineQueue: false, retryStrategy: retry, enableAutoPipelining: true });
    return this.logErrors(this.keep(client), name);
  }

  /** A connection for SUBSCRIBE (errors are the caller's to handle: it knows what a lost subscription means). */
  subscriber(name: string): RedisClient {
    return this.keep(
      this.target.cluster
        ? new Cluster(this.seeds(), { redisOptions: { ...this.auth(), connectionName: name } })
        : new Redis({ ...this.single(), connectionName: name }),
    );
  }

  /** The `connection` of a BullMQ worker or queue-events reader. */
  bullmq(name: string): ConnectionOptions {
    if (!this.target.cluster) return { ...this.single(), connectionName: name, maxRetriesPerRequest: null };
    return this.logErrors(this.keep(new Cluster(this.seeds(), { redisOptions: { ...this.auth(), connectionName: name, maxRetriesPerRequest: null } })), name);
  }

  /** Closes every connection made here that is still open (BullMQ closes the ones it owns). */
  disconnectAll(): void {
    for (const client of this.owned) client.disconnect();
    this.owned.clear();
  }

  private keep<T extends RedisClient>(client: T): T {
    this.owned.add(client);
    client.once('end', () => this.owned.delete(client));
    return client;
  }

  private logErrors<T extends RedisClient>(client: T, name: string): T {
    // A down Redis emits an error per reconnect attempt on every connection: one paced line per process.
    client.on('error', (err: Error) => outageLog('redis').report(this.logger, err, { connection: name }));
    client.on('ready', () => outageLog('redis').recovered(this.logger, { connection: name }));
    return client;
  }

  private seeds(): { host: string; port: number }[] {
    return this.target.nodes.map((n) => ({ host: n.host, port: n.port }));
  }

  private auth(): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
    return {
      ...(this.target.username ? { username: this.target.username } : {}),
      ...(this.target.password ? { password: this.target.password } : {}),
      ...(this.target.tls ? { tls: {} } : {}),
    };
  }

  private single(): RedisOptions {
    const node = this.target.nodes[0]!;
    return { host: node.host, port: node.port, ...this.auth(), ...(this.target.db ? { db: this.target.db } : {}) };
  }
}
