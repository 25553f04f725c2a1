import { parentPort } from 'node:worker_threads';
import { AppError } from '../../../platform/app-error';
import { compileMapping, evaluateInThisThread } from './evaluate-mapping';
import type { ThreadReply, ThreadTask } from './mapping-pool';
import { compileSaleIdMapping } from './sale-id-mapping';

/**
 * A mapping thread (mapping-pool.ts): evaluates the batches it is sent, one evaluation at a time, and
 * answers each as it finishes. Compiled expressions are cached here by their text, as in the main thread.
 */

function errorOf(err: unknown): Extract<ThreadReply, { ok: false }>['error'] {
  if (err instanceof AppError) return { code: err.code, message: err.message, details: err.details };
  return { code: 'mapping_failed', message: `Mapping failed: ${(err as Error)?.message ?? String(err)}`, details: { code: null } };
}

async function evaluate(task: ThreadTask): Promise<ThreadReply> {
  try {
    const compiled = task.kind === 'sale-ids' ? compileSaleIdMapping(task.expression).compiled : compileMapping(task.expression);
    const output = await evaluateInThisThread(compiled, task.input, {
      timeoutMs: task.timeoutMs,
      maxDepth: task.maxDepth,
      maxOutputBytes: task.maxOutputBytes,
      bindings: task.bindings,
    });
    return { id: task.id, ok: true, output };
  } catch (err) {
    return { id: task.id, ok: false, error: errorOf(err) };
  }
}

const port = parentPort;
if (!port) throw new Error('mapping-thread.ts runs only as a worker thread (mapping-pool.ts)');
port.on('message', (tasks: ThreadTask[]) => {
  void (async () => {
    for (const task of tasks) port.postMessage(await evaluate(task));
  })();
});
port.postMessage({ ready: true });
