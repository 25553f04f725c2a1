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
