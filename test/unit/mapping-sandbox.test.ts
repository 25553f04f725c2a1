import { compileMapping, evaluateMapping } from '../../src/modules/partners/mapping/evaluate-mapping';
import { closeMappingPool } from '../../src/modules/partners/mapping/mapping-pool';
import { compileSaleIdMapping, readSaleIds } from '../../src/modules/partners/mapping/sale-id-mapping';

/** A single built-in that runs for tens of seconds: JSONata's own guard, checked between nodes, never sees it. */
const RUNAWAY = '$length($string([1..10000000]))';

/** The longest the event loop went without a turn while `work` ran (a stalled process shows here). */
async function longestStall<T>(work: () => Promise<T>): Promise<{ stallMs: number; result: PromiseSettledResult<T> }> {
  let last = Date.now();
  let stallMs = 0;
  const tick = setInterval(() => {
    const now = Date.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  const [result] = await Promise.allSettled([work()]);
  clearInterval(tick);
  return { stallMs: Math.max(stallMs, Date.now() - last), result };
}

describe('mapping sandbox (worker threads with a hard time limit, capped output)', () => {
  afterAll(() => closeMappingPool());

  beforeAll(async () => {
    // Start the threads first: their start-up is not what the tests time.
    await evaluateMapping(compileMapping('{"warm": x + 1}'), { x: 1 });
  });

  it('stops a runaway built-in by terminating its thread, without stalling this one', async () => {
    const started = Date.now();
    const { stallMs, result } = await longestStall(() => evaluateMapping(compileMapping(RUNAWAY), {}, { timeoutMs: 300 }));
    expect(result.status).toBe('rejected');
    const err = (result as PromiseRejectedResult).reason;
    expect(err).toMatchObject({
      code: 'mapping_failed',
      status: 422,
      details: { code: 'U1002', limit: 'time', limit_ms: 300 },
    });
    expect(err.message).toMatch(/ran longer than 300 ms and was stopped/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(stallMs).toBeLessThan(1000);
  });

  it('answers the evaluations queued behind a runaway, on a replacement thread', async () => {
    const runaway = evaluateMapping(compileMapping(RUNAWAY), {}, { timeoutMs: 300 });
    const normal = compileMapping('{"n": x * 2}');
    const others = Array.from({ length: 40 }, (_, x) => evaluateMapping(normal, { x }));
    await expect(runaway).rejects.toMatchObject({ details: { limit: 'time' } });
    expect(await Promise.all(others)).toEqual(Array.from({ length: 40 }, (_, x) => ({ n: x * 2 })));
    expect(await evaluateMapping(normal, { x: 21 })).toEqual({ n: 42 });
  });

  it('batches many concurrent evaluations and gives each its own answer', async () => {
    const compiled = compileMapping('{"n": x * 2, "s": $uppercase(s)}');
    expect(compiled.direct).toBeNull();
    const results = await Promise.all(Array.from({ length: 300 }, (_, x) => evaluateMapping(compiled, { x, s: `v${x}` })));
    expect(results).toEqual(Array.from({ length: 300 }, (_, x) => ({ n: x * 2, s: `V${x}` })));
  });

  it('caps the output size in a thread, naming the limit', async () => {
    await expect(evaluateMapping(compileMapping('[1..100000]'), {}, { maxOutputBytes: 10_000 })).rejects.toMatchObject({
      code: 'mapping_failed',
      details: { code: 'U1003', limit: 'output_size', limit_bytes: 10_000 },
    });
    expect(await evaluateMapping(compileMapping('[1..10]'), {}, { maxOutputBytes: 10_000 })).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('caps the output size of a direct (in-process) read too', async () => {
    const compiled = compileMapping('{"a": x, "b": x, "c": x}');
    expect(compiled.direct).not.toBeNull();
    const x = 'y'.repeat(5000);
    await expect(evaluateMapping(compiled, { x }, { maxOutputBytes: 10_000 })).rejects.toMatchObject({
      details: { limit: 'output_size', limit_bytes: 10_000 },
    });
    expect(await evaluateMapping(compiled, { x }, { maxOutputBytes: 20_000 })).toEqual({ a: x, b: x, c: x });
  });

  it('keeps JSONata errors and its own guard as they were (code, position)', async () => {
    await expect(evaluateMapping(compileMapping('$error("nope")'), {})).rejects.toMatchObject({
      code: 'mapping_failed',
      message: 'Mapping failed: nope',
      details: { code: 'D3137' },
    });
    await expect(
      evaluateMapping(compileMapping('($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))'), {}, { maxDepth: 50 }),
    ).rejects.toMatchObject({ details: { code: 'U1001', limit: 'depth' } });
  });

  it('evaluates a sale-id slice in a thread (the ingest edge), and stops a runaway one', async () => {
    const slice = compileSaleIdMapping(
      '{"type": "sale", "location_id": "L", "sale_id": $string(id) & "-" & $uppercase(kind), "total": $count(items), "status": "open"}',
    );
    expect(slice.compiled.kind).toBe('sale-ids');
    expect(await readSaleIds(slice, { id: 7, kind: 'x', items: [] }, 'sale.updated')).toEqual(['7-X']);
    const runaway = compileSaleIdMapping(`{"type": "sale", "sale_id": ${RUNAWAY}}`);
    const { stallMs, result } = await longestStall(() => readSaleIds(runaway, {}, 'sale.updated'));
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'mapping_failed', details: { limit: 'time' } });
    expect(stallMs).toBeLessThan(1000);
  });
});
