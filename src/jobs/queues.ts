import type { DefaultJobOptions } from 'bullmq';

/** Queue names: lowercase kebab constants, one per kind of work. */
export const QUEUE_NAMES = {
  /** Raw POS events waiting to be mapped and applied. */
  inboundEvents: 'inbound-events',
  /** One job per (outbound message, subscribed webhook endpoint). */
  webhookDeliveries: 'webhook-deliveries',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** Completed jobs are trimmed (BullMQ going-to-production); failed ones kept a while for inspection. */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  removeOnComplete: { age: 3600, count: 10000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 50000 },
};

/**
 * Closes a BullMQ worker gracefully (active jobs finish). A worker whose connections are still starting
 * would leave BullMQ emitting an unhandled "Connection is closed", so it gets a short while to become ready
 * first; while Redis is down it never will, hence the bound.
 */
export async function closeWorker(worker: { waitUntilReady(): Promise<unknown>; close(): Promise<void> }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 2000);
  });
  await Promise.race([worker.waitUntilReady().catch(() => undefined), giveUp]);
  clearTimeout(timer);
  await worker.close();
}
