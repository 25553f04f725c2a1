import { RateLimitError, type Queue } from 'bullmq';
import { outageLog, type Logger } from '../logger';

/**
 * How a BullMQ worker waits out a database outage without spending its jobs' attempts (BullMQ's manual
 * rate limit, docs "Rate limiting → Manual rate-limit"): the job that met the outage rate-limits the queue
 * for a while and throws `RateLimitError`, so BullMQ puts it back at the head of `wait` with its attempts
 * untouched and this worker fetches nothing until the limit expires. Every job in flight that meets the
 * outage goes back the same way; other worker processes pause when their own jobs meet it. The pause grows
 * (doubling from `minMs` to `maxMs`) while the database stays away, and there is no limit on how long the
 * jobs wait: nothing is failed for an outage, however long it lasts.
 */
export interface DatabaseWaitOptions {
  /** First pause. @defaultValue 1000 */
  minMs?: number;
  /** Longest pause: how often a long outage is probed (by one batch of jobs). @defaultValue 30_000 */
  maxMs?: number;
}

export class DatabaseWait {
  private readonly minMs: number;
  private readonly maxMs: number;
  private pauseMs = 0;
  private pausedUntil = 0;

  constructor(
    private readonly queue: Pick<Queue, 'rateLimit' | 'name'>,
    private readonly logger: Logger,
    options: DatabaseWaitOptions = {},
  ) {
    this.minMs = options.minMs ?? 1000;
    this.maxMs = Math.max(this.minMs, options.maxMs ?? 30_000);
  }

  /** Whether the worker is waiting for the database (between an outage and the next job that succeeds). */
  get waiting(): boolean {
    return this.pauseMs > 0;
  }

  /**
   * Rate-limits the queue (once per pause, whichever job of the pause comes first) and returns the error
   * the job must throw, with the milliseconds until the workers try again (to keep the job's locks that long).
   */
  async pause(cause: unknown): Promise<{ error: RateLimitError; waitMs: number }> {
    const now = Date.now();
    if (now >= this.pausedUntil) {
      this.pauseMs = this.pauseMs === 0 ? this.minMs : Math.min(this.maxMs, this.pauseMs * 2);
      this.pausedUntil = now + this.pauseMs;
      outageLog('database').report(this.logger, cause, { queue: this.queue.name, retry_in_ms: this.pauseMs });
      // If Redis cannot take the limit, the job still goes back to wait (BullMQ moves it); only the pause is lost.
      await this.queue.rateLimit(this.pauseMs).catch(() => undefined);
    }
    return { error: new RateLimitError(), waitMs: Math.max(0, this.pausedUntil - now) };
  }

  /** A job went through: the database is back. */
  recovered(): void {
    if (this.pauseMs === 0) return;
    this.pauseMs = 0;
    this.pausedUntil = 0;
    outageLog('database').recovered(this.logger, { queue: this.queue.name });
  }
}
