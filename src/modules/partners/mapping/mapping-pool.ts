import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../../platform/app-error';

/**
 * A small pool of worker threads that evaluate mappings where a hard limit can stop them (see
 * evaluate-mapping.ts for what runs here and what stays in-process).
 *
 * - Threads start on first use and are kept; an idle thread does not hold the process open.
 * - Work is queued and handed out in batches (one message carries up to BATCH_SIZE evaluations), and
 *   each thread answers every evaluation as it finishes, so a batch costs one message out and one back
 *   per event, and the time limit applies to each evaluation from the moment the previous one answered.
 * - An evaluation past its time limit (plus a grace for JSONata's own guard, which answers first in
 *   all but a runaway built-in) gets its thread terminated and replaced; its batch's other evaluations go
 *   back to the front of the queue. A thread over its heap limit ends the same way (memory limit).
 */

/** What a compiled mapping evaluates to: the whole mapping, or the ingest edge's sale-id slice of it. */
export type MappingKind = 'full' | 'sale-ids';

export interface PoolTask {
  expression: string;
  kind: MappingKind;
  input: unknown;
  bindings?: Record<string, unknown>;
  timeoutMs: number;
  maxDepth: number;
  maxOutputBytes: number;
}

/** A thread's answer to one evaluation (mapping-thread.ts). */
export type ThreadReply =
  | { id: number; ok: true; output: unknown }
  | { id: number; ok: false; error: { code: string; message: string; details: Record<string, unknown> | null } };

export interface ThreadTask extends PoolTask {
  id: number;
}

/** Evaluations one message carries. */
const BATCH_SIZE = 32;
/** Past the time limit, how long the pool waits for JSONata's own guard to answer before it terminates the thread. */
const KILL_GRACE_MS = 100;
/** Each thread's heap: a mapping building a huge value hits this, not the process's memory. */
export const THREAD_HEAP_MB = 256;
/** Threads that fail to start in a row before evaluations are refused (a broken install, not a mapping). */
const MAX_START_FAILURES = 3;

function defaultThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

let threads = defaultThreads();

interface Pending {
  task: ThreadTask;
  resolve: (output: unknown) => void;
  reject: (err: unknown) => void;
}

/** The thread's entry: its compiled .js beside this file, or the .ts source through tsx (dev, tests). */
function spawn(): Worker {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `mapping-thread${ext}`);
  const resourceLimits = { maxOldGenerationSizeMb: THREAD_HEAP_MB };
  // A node:worker_threads thread of the mapping pool, not a BullMQ worker (layout/boundaries tells them apart).
  if (ext === '.js') return new Worker(entry, { resourceLimits });
  const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(entry)});`;
  return new Worker(bootstrap, { eval: true, resourceLimits });
}

class Slot {
  readonly worker: Worker;
  ready = false;
  dead = false;
  /** The evaluations sent and not yet answered, in the order the thread runs them. */
  readonly batch: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly pool: MappingPool) {
    this.worker = spawn();
    this.worker.on('message', (msg: ThreadReply | { ready: true }) => this.onMessage(msg));
    this.worker.on('error', (err: Error & { code?: string }) => this.die(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : err));
    this.worker.on('exit', () => this.die(new Error('the mapping thread exited')));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    this.worker.unref();
  }

  private held = false;

  /** Holds the process open while this thread has work or is starting for queued work, not when idle. */
  hold(busy: boolean): void {
    if (busy === this.held) return;
    this.held = busy;
    if (busy) this.worker.ref();
    else this.worker.unref();
  }

  get idle(): boolean {
    return this.ready && !this.dead && this.batch.length === 0;
  }

  send(batch: Pending[]): void {
    this.batch.push(...batch);
    try {
      this.worker.postMessage(batch.map((p) => p.task));
    } catch (err) {
      // An input that cannot be cloned (not JSON): fail the batch's tasks, not the thread.
      this.batch.length = 0;
      for (const p of batch) p.reject(new AppError('mapping_failed', `Mapping failed: the input cannot be evaluated (${(err as Error).message})`, { code: null }));
      return;
    }
    this.arm();
  }

  /** The time limit of the evaluation the thread is on now. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    const current = this.batch[0];
    if (!current) {
      this.timer = null;
      return;
    }
    this.timer = setTimeout(() => this.die('time'), current.task.timeoutMs + KILL_GRACE_MS);
    this.timer.unref();
  }

  private onMessage(msg: ThreadReply | { ready: true }): void {
    if ('ready' in msg) {
      this.ready = true;
      this.pool.started();
      return;
    }
    const pending = this.batch.shift();
    if (!pending || pending.task.id !== msg.id) return;
    if (msg.ok) pending.resolve(msg.output);
    else pending.reject(new AppError(msg.error.code as AppError['code'], msg.error.message, msg.error.details));
    this.arm();
    if (this.batch.length === 0) this.pool.dispatch();
  }

  /** Ends the thread: the evaluation it was on fails with the reason, the rest go back to the queue. */
  die(reason: 'time' | 'memory' | Error): void {
    if (this.dead) return;
    this.dead = true;
    if (this.timer) clearTimeout(this.timer);
    void this.worker.terminate().catch(() => undefined);
    const [current, ...rest] = this.batch.splice(0);
    if (current) current.reject(failureFor(reason, current.task));
    this.pool.replace(this, rest, !this.ready);
  }
}

function failureFor(reason: 'time' | 'memory' | Error, task: PoolTask): AppError {
  if (reason === 'time') {
    return new AppError('mapping_failed', `Mapping failed: Mapping ran longer than ${task.timeoutMs} ms and was stopped (infinite loop or runaway built-in?)`, {
      code: 'U1002',
      limit: 'time',
      limit_ms: task.timeoutMs,
      position: null,
      token: null,
    });
  }
  if (reason === 'memory') {
    return new AppError('mapping_failed', `Mapping failed: Mapping used more than ${THREAD_HEAP_MB} MB of memory and was stopped`, {
      code: 'U1004',
      limit: 'memory',
      limit_mb: THREAD_HEAP_MB,
      position: null,
      token: null,
    });
  }
  return new AppError('mapping_failed', `Mapping failed: the mapping thread stopped (${reason.message})`, {
    code: null,
    position: null,
    token: null,
  });
}

class MappingPool {
  private slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private startFailures = 0;
  private closed = false;

  constructor(private size: number) {}

  run(task: PoolTask): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task: { ...task, id: this.nextId++ }, resolve, reject });
      this.fill();
      this.dispatch();
    });
  }

  /** Hands queued evaluations to idle threads, a batch each. */
  dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length > 0 && slot.idle) slot.send(this.queue.splice(0, BATCH_SIZE));
      slot.hold(slot.batch.length > 0 || (!slot.ready && this.queue.length > 0));
    }
  }

  started(): void {
    this.startFailures = 0;
    this.dispatch();
  }

  replace(slot: Slot, unfinished: Pending[], neverStarted: boolean): void {
    this.slots = this.slots.filter((s) => s !== slot);
    if (this.closed) {
      for (const p of unfinished) p.reject(new Error('the mapping pool was closed'));
      return;
    }
    this.queue.unshift(...unfinished);
    if (neverStarted && ++this.startFailures >= MAX_START_FAILURES) {
      // Not a mapping's fault: a plain Error, so the pipeline retries the event later.
      const err = new Error('mapping threads cannot start');
      for (const p of this.queue.splice(0)) p.reject(err);
      this.startFailures = 0;
      return;
    }
    if (this.queue.length > 0) this.fill();
    this.dispatch();
  }

  private fill(): void {
    while (this.slots.length < this.size) this.slots.push(new Slot(this));
  }

  resize(size: number): void {
    this.size = size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('the mapping pool was closed'));
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => undefined)));
  }
}

let pool: MappingPool | null = null;

/** Evaluates in a pool thread (evaluate-mapping.ts decides what goes there). */
export function runInPool(task: PoolTask): Promise<unknown> {
  pool ??= new MappingPool(threads);
  return pool.run(task);
}

/** Threads in the pool (MAPPING_THREADS). */
export function configurePool(settings: { threads: number }): void {
  threads = Math.max(1, settings.threads);
  pool?.resize(threads);
}

/** Stops the pool's threads (shutdown, tests); the next evaluation starts new ones. */
export async function closeMappingPool(): Promise<void> {
  const current = pool;
  pool = null;
  await current?.close();
}
