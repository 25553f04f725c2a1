import type { EventEmitter } from 'node:events';
import { Worker } from 'bullmq';
import { closeWorker } from '../../src/jobs/queues';
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
});
