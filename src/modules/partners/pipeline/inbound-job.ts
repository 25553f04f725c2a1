import type { Job, JobsOptions, Queue } from 'bullmq';

/**
 * The inbound-event job: what ingestion (and replay) put on the `inbound-events` queue and the worker
 * takes. The raw payload rides in the job as a UTF-8 string, so the ingest hot path touches Redis alone
 * (ARCHITECTURE §C). No secrets: signature headers are masked before the headers are copied in.
 */

export const INBOUND_JOB_NAME = 'inbound-event';

/** First retry after 1 s, then 2 s, 4 s, … (BullMQ exponential backoff). */
export const INBOUND_BACKOFF = { type: 'exponential', delay: 1000 } as const;

export interface InboundJobData {
  eventId: string;
  /** Partner name. */
  partner: string;
  eventType: string;
  /** The exact body. Absent on a replay: the worker reads the stored one. */
  rawPayload?: string;
  contentType?: string;
  /**
   * The request headers (lower-case names) with signatures and secrets masked (ingest/mask-headers.ts), for
   * the event log. Absent on a replay (the row has them) and on events queued before it existed.
   */
  headers?: Record<string, string>;
  /** ISO 8601: when the POS event arrived. */
  receivedAt: string;
  /** Sale ids locked (or lined up) for this event at ingestion. */
  saleIds: string[];
  /**
   * Epoch ms until which the sale locks this event took at ingestion are certainly its own (set only when
   * it took them, not when it lined up): until then no other event can hold them, so a first attempt that
   * starts well before needs no claim round trip.
   */
  lockedUntil?: number;
}

/** What the worker returns for a finished event; ack `processed` answers with it. */
export interface InboundEventResult {
  event_id: string;
  status: 'processed' | 'ignored';
  reason: string | null;
  sale_ids: string[];
}

export type InboundJob = Job<InboundJobData, InboundEventResult>;

/** An inbound job's options: jobId = event id (a re-add of the same event is a no-op), attempts, backoff. */
export function inboundJobOptions(eventId: string, attempts: number): JobsOptions {
  return { jobId: eventId, attempts, backoff: INBOUND_BACKOFF };
}

/** Adds the job with jobId = event id (a re-add of the same event is a no-op). */
export async function enqueueInboundEvent(queue: Queue, data: InboundJobData, attempts: number): Promise<Job> {
  return queue.add(INBOUND_JOB_NAME, data, inboundJobOptions(data.eventId, attempts));
}

/** Delay BullMQ will wait before the retry that follows the current attempt of `job`. */
export function nextRetryDelayMs(job: Pick<Job, 'attemptsMade' | 'opts'>): number {
  const backoff = job.opts.backoff;
  if (backoff === undefined) return 0;
  if (typeof backoff === 'number') return backoff;
  const delay = backoff.delay ?? 0;
  return backoff.type === 'exponential' ? Math.pow(2, job.attemptsMade) * delay : delay;
}

/** Milliseconds since an `evt_…` id was minted (newId puts the time first), or null when it is not one. */
export function eventIdAgeMs(eventId: string, now = Date.now()): number | null {
  const match = /^evt_([0-9a-z]{10})/.exec(eventId);
  if (!match) return null;
  const minted = parseInt(match[1]!, 36);
  return Number.isFinite(minted) ? now - minted : null;
}
