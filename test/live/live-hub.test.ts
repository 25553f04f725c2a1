import { EventEmitter } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { LiveHub, publishLiveEvents } from '../../src/modules/live';
import { createLogger } from '../../src/platform/logger';
import type { RedisClient } from '../../src/platform/redis-connections';
import { openSse } from '../helpers/sse';
import { uniq } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

/**
 * The hub's own guarantees, with the real Redis buffer and a pub/sub connection the test controls: a lost
 * subscription is caught up from the buffer once it is back (nothing missed, nothing twice), and a client
 * that stops reading is dropped instead of piling up output.
 */
class FakeSubscriber extends EventEmitter {
  status = 'ready';
  async subscribe(): Promise<number> {
    return 1;
  }
  disconnect(): void {
    this.status = 'end';
  }
}

describe('LiveHub', () => {
  const prefix = uniq(`${process.env.TEST_REDIS_PREFIX}-hub`);
  let redis: Redis;
  let sub: FakeSubscriber;
  let hub: LiveHub;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    sub = new FakeSubscriber();
    hub = new LiveHub({
      subscriber: () => sub as unknown as RedisClient,
      redis: redis as unknown as RedisClient,
      keyPrefix: prefix,
      logger: createLogger('silent'),
      heartbeatMs: 60_000,
      maxBufferedBytes: 20_000,
    });
    server = createServer((req, res) => {
      const venue = new URL(req.url!, 'http://x').searchParams.get('venue')!;
      hub.open(res, venue, null).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    redis.disconnect();
  });

  /** What the relay does: append and publish; `live` false: the message never reaches this process. */
  async function publish(venue: string, n: number, live = true): Promise<void> {
    const body = JSON.stringify({ id: `msg_${n}`, event: 'booking.updated', created_at: new Date().toISOString(), data: { n } });
    await publishLiveEvents(redis as unknown as RedisClient, prefix, [{ venueId: venue, event: 'booking.updated', body }]);
    if (!live) return;
    const [[id]] = (await redis.xrevrange(`${prefix}:live:{${venue}}`, '+', '-', 'COUNT', 1)) as [string, string[]][];
    sub.emit('message', `${prefix}:live:events`, `${venue}\n${id}\nbooking.updated\n${body}`);
  }

  it('catches up from the buffer after the subscription was lost, without sending anything twice', async () => {
    const venue = uniq('ven');
    const client = await openSse(`${url}?venue=${venue}`);
    await waitFor(async () => client.lastEventId !== null, { what: 'the stream to start' });
    await publish(venue, 1);
    await client.waitForEvents(1);

    sub.emit('close');
    await publish(venue, 2, false);
    await publish(venue, 3, false);
    expect(client.bodies()).toHaveLength(1);
    sub.emit('ready');
    const after = await client.waitForEvents(3);
    expect(after.map((b) => b.data.n)).toEqual([1, 2, 3]);

    // A live copy of what the catch-up sent is dropped; the next one goes out.
    const [[lastId]] = (await redis.xrevrange(`${prefix}:live:{${venue}}`, '+', '-', 'COUNT', 1)) as [string, string[]][];
    sub.emit('message', `${prefix}:live:events`, `${venue}\n${lastId}\nbooking.updated\n${JSON.stringify({ id: 'msg_3', data: { n: 3 } })}`);
    await publish(venue, 4);
    expect((await client.waitForEvents(4)).map((b) => b.data.n)).toEqual([1, 2, 3, 4]);
    client.close();
  });

  it('drops a client that stops reading once its unsent output passes the limit', async () => {
    const venue = uniq('ven');
    let received = 0;
    const res = await new Promise<import('node:http').IncomingMessage>((resolve) => request(`${url}?venue=${venue}`, resolve).end());
    res.once('data', () => {
      received += 1;
      res.pause();
    });
    await waitFor(async () => received > 0 && hub.size > 0, { what: 'the stream to start' });
    const before = hub.size;
    const big = 'x'.repeat(64_000);
    for (let n = 0; n < 1000 && hub.size === before; n++) {
      const id = `${Date.now() + 1_000_000 + n}-0`;
      sub.emit('message', `${prefix}:live:events`, `${venue}\n${id}\nbooking.updated\n${JSON.stringify({ id: `msg_${n}`, pad: big })}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(hub.size).toBe(before - 1);
    res.destroy();
  });
});
