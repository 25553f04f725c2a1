import type { EventEmitter } from 'node:events';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { closeWorker, muteLateConnectionErrors } from '../../src/platform/jobs/queues';
import { freePort } from '../helpers/private-redis';

/**
 * A worker stopped while Redis does not answer: BullMQ drops its connections' listeners on close, and a
 * start that fails after that re-emits as an 'error' on the connection (a crash on stop, seen now and then
 * as a jest worker that "failed to exit gracefully"). closeWorker must leave that harmless.
 */
describe('closeWorker while Redis does not answer', () => {
  it('leaves no connection error that could surface after the close as an uncaught exception', async () => {
    const port = await freePort(); // nothing listens there
    const worker = new Worker('close-probe', async () => undefined, {
      connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null, retryStrategy: () => 200 },
    });
    const errors: Error[] = [];
    worker.on('error', (err) => errors.push(err));
    await closeWorker(worker);
    expect(errors.length).toBeGreaterThan(0); // it did try, and the errors reached the worker while it listened

    // What BullMQ's connections do when their start fails after the close: emit 'error', with no listener left.
    const connections = ['connection', 'blockingConnection'].map((f) => (worker as unknown as Record<string, EventEmitter>)[f]!);
    for (const connection of connections) {
      expect(connection.listenerCount('error')).toBe(0);
      expect(() => connection.emit('error', new Error('connect ECONNREFUSED (late)'))).not.toThrow();
    }
  }, 15_000);

  it('does the same for a queue on a shared connection that never reached Redis (as the app queues are)', async () => {
    const port = await freePort();
    const shared = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null, retryStrategy: () => 200 });
    shared.on('error', () => undefined);
    const queue = new Queue('close-probe', { connection: shared });
    queue.on('error', () => undefined);
    muteLateConnectionErrors(queue);
    await Promise.race([queue.close(), new Promise((resolve) => setTimeout(resolve, 1000))]);
    // The app then drops its own connection: the queue's pending start fails now, with no listener left.
    shared.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const connection = (queue as unknown as Record<string, EventEmitter>).connection!;
    expect(connection.listenerCount('error')).toBe(0);
    expect(() => connection.emit('error', new Error('connect ECONNREFUSED (late)'))).not.toThrow();
  });
});
