/**
 * Coalesces concurrent calls into shared round trips: `add` queues an item, and a flush runs over
 * everything queued so far, with at most `maxInFlight` flushes at a time. Where work runs many at once
 * and a database round trip (and commit) per item is what limits throughput (webhook deliveries, POS
 * event batches, bookings sharing a transaction), each caller keeps its own semantics (its promise settles
 * only when its batch is done) while the statements and the commit are shared.
 */
export class Batcher<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;
  private scheduled = false;

  /**
   * @param flush returns one result per item, in order; a throw rejects every item of the batch.
   * @param options.maxBatch items per flush. @defaultValue 200
   * @param options.maxInFlight flushes running at once. @defaultValue 2
   */
  constructor(
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly options: { maxBatch?: number; maxInFlight?: number } = {},
  ) {}

  /** @param first put it at the head of the line (an item going round again keeps its place). */
  add(item: T, first = false): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (first) this.queue.unshift({ item, resolve, reject });
      else this.queue.push({ item, resolve, reject });
      if (!this.scheduled && this.inFlight < (this.options.maxInFlight ?? 2)) {
        this.scheduled = true;
        // Let the calls of this turn of the event loop join the batch.
        setImmediate(() => this.start());
      }
    });
  }

  private start(): void {
    this.scheduled = false;
    while (this.queue.length > 0 && this.inFlight < (this.options.maxInFlight ?? 2)) {
      void this.run(this.queue.splice(0, this.options.maxBatch ?? 200));
    }
  }

  private async run(batch: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[]): Promise<void> {
    this.inFlight += 1;
    try {
      const results = await this.flush(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results[i]!));
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      this.inFlight -= 1;
      // Whatever queued up meanwhile goes next.
      if (this.queue.length > 0) this.start();
    }
  }
}
