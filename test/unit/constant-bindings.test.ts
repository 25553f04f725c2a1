import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsonata from 'jsonata';
import { foldConstantBindings } from '../../src/modules/partners/mapping/constant-bindings';
import { newJsonata, toPlainJson } from '../../src/modules/partners/mapping/evaluate-mapping';
import { MAPPING_FUNCTIONS } from '../../src/modules/partners/mapping/mapping-functions';

/** JSONata as it is, with the mapping functions and nothing folded. */
function unfolded(expression: string): jsonata.Expression {
  const expr = jsonata(expression);
  for (const [name, implementation] of Object.entries(MAPPING_FUNCTIONS)) expr.registerFunction(name, implementation);
  return expr;
}

/** The answer serialised (key order counts), or the error's code. */
async function answer(expr: jsonata.Expression, input: unknown, bindings?: Record<string, unknown>): Promise<string | undefined> {
  try {
    return JSON.stringify(toPlainJson(await expr.evaluate(input, bindings)));
  } catch (err) {
    return `error ${(err as { code?: string }).code}`;
  }
}

describe('constant bound tables built once (constant-bindings.ts)', () => {
  const sevenrooms = readFileSync(join(__dirname, '../../mappings/sevenrooms/reservation.jsonata'), 'utf8');

  it('folds the sevenrooms status table, and every sevenrooms fixture maps exactly as unfolded JSONata maps it', async () => {
    expect(foldConstantBindings(unfolded(sevenrooms))).toBe(1);
    const folded = newJsonata(sevenrooms);
    const plain = unfolded(sevenrooms);
    const dir = join(__dirname, '../../mappings/sevenrooms/fixtures');
    const inputs = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'));
    expect(inputs.length).toBeGreaterThanOrEqual(8);
    for (const file of inputs) {
      const input = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const expected = await answer(plain, input, { event_type: 'reservation' });
      // Twice: the table bound once is the same on every evaluation.
      for (let i = 0; i < 2; i++) expect({ file, out: await answer(folded, input, { event_type: 'reservation' }) }).toEqual({ file, out: expected });
    }
    // Every status code through the table and past it.
    for (const status of ['BOOKED', 'seated ', 'PAID', 'CANCELED', 'NO_SHOW', 'COMPLETE', 'WHATEVER', 7, null]) {
      const input = { entity_type: 'reservation', entity: { id: 'r', status, real_datetime_of_slot: '2027-01-01 19:00:00' } };
      expect({ status, out: await answer(folded, input) }).toEqual({ status, out: await answer(plain, input) });
    }
  });

  const CASES: [string, number][] = [
    ['($t := {"a": "x", "b": 1, "c": true, "d": null, "e": false}; $lookup($t, k))', 1],
    ['($t := {"2": "two", "a": "x", "1": "one"}; $t)', 1],
    ['($t := {"a": "x"}; $u := {"b": "y"}; [$lookup($t, k), $lookup($u, k), $keys($t)])', 2],
    ['($t := {"a": "x"}; ($t := {"a": "y"}; $t.a) & $t.a)', 2],
    ['($t := {}; $t)', 1],
    ['($t := {"a": "x"}; $merge([$t, {"b": k}]) ~> | $ | {"a": "changed"} |)', 1],
    ['($t := {"a": "x"}; $t ~> | $ | {"a": "changed"} |)', 1],
    // Not folded: a key twice (JSONata's D1009), a value that is not a literal, a constructor with a predicate or a step.
    ['($t := {"a": "x", "a": "y"}; $t)', 0],
    ['($t := {"a": k}; $t)', 0],
    ['($t := {"a": ["x"]}; $t)', 0],
    ['($t := {"a": {"b": "x"}}; $t)', 0],
    ['($t := {"a": "x"}.a; $t)', 0],
    ['($t := {"a": "x"}[0]; $t)', 0],
    ['{"a": "x", "k": k}', 0],
  ];

  it.each(CASES)('%s: folded %d times, answering as JSONata does', async (expression, folds) => {
    expect(foldConstantBindings(unfolded(expression))).toBe(folds);
    for (const input of [{ k: 'a' }, { k: 'b' }, [{ k: 'a' }, { k: 'b' }], {}, undefined]) {
      const folded = newJsonata(expression);
      expect({ input, out: await answer(folded, input) }).toEqual({ input, out: await answer(unfolded(expression), input) });
      // Twice on one instance: nothing an evaluation does changes the table the next one sees.
      expect({ input, out: await answer(folded, input) }).toEqual({ input, out: await answer(unfolded(expression), input) });
    }
  });
});
