import { AppError } from '../../src/platform/app-error';
import {
  clearMappingCache,
  compileMapping,
  DEPTH_CODE,
  evaluateMapping,
  TIMEOUT_CODE,
} from '../../src/modules/partners/mapping/evaluate-mapping';

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected the evaluation to fail');
}

describe('compileMapping', () => {
  beforeEach(() => clearMappingCache());

  it('reports a syntax error as invalid_mapping with JSONata position and token', () => {
    let error: unknown;
    try {
      compileMapping('{"total": }');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    const e = error as AppError;
    expect(e.code).toBe('invalid_mapping');
    expect(e.status).toBe(400);
    expect(e.details).toEqual({ position: 11, token: '}', code: 'S0211' });
    expect(e.message).toMatch(/at position 11/);
  });

  it('reports an unknown token position', () => {
    expect(() => compileMapping('sale.total +* 2')).toThrow(AppError);
    try {
      compileMapping('foo bar(');
    } catch (err) {
      expect((err as AppError).details).toMatchObject({ position: 7, token: 'bar', code: 'S0201' });
    }
  });

  it('rejects an empty expression', () => {
    expect(() => compileMapping('   ')).toThrow(/empty/);
  });

  it('caches compiled expressions by text', () => {
    expect(compileMapping('a.b')).toBe(compileMapping('a.b'));
    expect(compileMapping('a.b')).not.toBe(compileMapping('a.c'));
  });
});

describe('evaluateMapping', () => {
  it('returns plain arrays without JSONata sequence flags', async () => {
    const out = await evaluateMapping(compileMapping('items.{"name": n}'), { items: [{ n: 'a' }, { n: 'b' }] });
    expect(out).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(Object.keys(out as object)).toEqual(['0', '1']);
    expect((out as { sequence?: boolean }).sequence).toBeUndefined();
  });

  it('returns undefined when the mapping yields nothing', async () => {
    expect(await evaluateMapping(compileMapping('missing.field'), { a: 1 })).toBeUndefined();
  });

  it('passes bindings as variables', async () => {
    expect(await evaluateMapping(compileMapping('$event_type'), {}, { bindings: { event_type: 'order.updated' } })).toBe(
      'order.updated',
    );
  });

  it('stops a runaway self-application with a timeout instead of hanging', async () => {
    const e = await failure(
      evaluateMapping(compileMapping('(function($f){$f($f)})(function($f){$f($f)})'), {}, { timeoutMs: 200 }),
    );
    expect(e.code).toBe('mapping_failed');
    expect(e.details).toMatchObject({ code: TIMEOUT_CODE });
    expect(e.message).toMatch(/longer than 200 ms/);
  });

  it('stops an infinite tail-recursive loop by the default one-second limit', async () => {
    const e = await failure(evaluateMapping(compileMapping('($loop := function($n){ $loop($n + 1) }; $loop(0))'), {}));
    expect(e.details).toMatchObject({ code: TIMEOUT_CODE });
  });

  it('stops deep non-tail recursion with the depth guard', async () => {
    const e = await failure(
      evaluateMapping(compileMapping('($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))'), {}, { maxDepth: 100 }),
    );
    expect(e.code).toBe('mapping_failed');
    expect(e.details).toMatchObject({ code: DEPTH_CODE });
    expect(e.message).toMatch(/maximum depth of 100/);
  });

  it('allows modest recursion within the depth limit', async () => {
    const out = await evaluateMapping(compileMapping('($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(5))'), {});
    expect(out).toBe(5);
  });

  it('keeps budgets separate for concurrent evaluations of one cached expression', async () => {
    const compiled = compileMapping('$sum([1..2000].($ * 2))');
    // A generous budget: the ten evaluations interleave, so each one's wall clock includes the others'.
    const results = await Promise.all(Array.from({ length: 10 }, () => evaluateMapping(compiled, {}, { timeoutMs: 30_000 })));
    expect(results).toEqual(Array(10).fill(4002000));
  });

  it('reports runtime errors as mapping_failed with the JSONata code', async () => {
    const e = await failure(evaluateMapping(compileMapping('$number("abc") + "x"'), {}));
    expect(e.code).toBe('mapping_failed');
    expect(typeof (e.details as { code: unknown }).code).toBe('string');
  });
});
