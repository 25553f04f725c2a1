import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsonata from 'jsonata';
import { getAdapter } from '../../adapters';
import { compileDirectMapping, NEEDS_JSONATA } from '../../src/modules/partners/mapping/direct-mapping';
import { compileMapping, evaluateMapping, newJsonata, toPlainJson } from '../../src/modules/partners/mapping/evaluate-mapping';
import { DEFAULT_MAPPINGS_DIR, discoverFixtureCases } from '../../src/modules/partners/mapping/fixture-runner';
import { parseNativeEvent } from '../../src/modules/partners/mapping/map-native-event';

/** JSONata's own answer, as evaluateMapping returns it; serialised so key order counts too. */
async function viaJsonata(expression: string, input: unknown): Promise<string | undefined> {
  return JSON.stringify(toPlainJson(await newJsonata(expression).evaluate(input)));
}

/** The direct reader's answer, serialised likewise; null when it leaves the case to JSONata. */
function viaDirect(expression: string, input: unknown): string | undefined | null {
  const direct = compileDirectMapping(newJsonata(expression).ast());
  if (!direct) throw new Error(`not a direct mapping: ${expression}`);
  const out = direct.read(input, 1000);
  return out === NEEDS_JSONATA ? null : JSON.stringify(toPlainJson(out));
}

const SHAPES = [
  '{"a": x}',
  '{"a": x.y.z, "b": "lit", "c": 1.5, "d": null, "e": true, "f": false}',
  '{"a": [x.{"n": n}]}',
  '{"a": [x.y.{"n": n, "m": m.k}]}',
  '[{"a": 1}, x, [y], "s", null, true, 1.5, x.y]',
  '{"a": {"b": x, "c": [1, 2]}, "z": [[x], []]}',
  '{"k": x, "l": [x.{"v": v}, y.{"w": w}, 3]}',
  '{"n": [x.{"a": n, "b": [n.{"c": c}]}]}',
  '[]',
  '{}',
  '{"1": x, "a": y, "0": z}',
  // The mapping functions (mapping-functions.test.ts compares them on awkward values).
  '{"a": $minor(x.y.z, "JPY"), "b": $instant(y), "c": [x.{"n": $minor(n)}]}',
];

const INPUTS: unknown[] = [
  {},
  { x: 1 },
  { x: null },
  { x: 's', y: 0, z: false },
  { x: [1, 2] },
  { x: [] },
  { x: [[1], [2]] },
  { x: { y: { z: 1 } } },
  { x: { y: { z: [1] } } },
  { x: { y: [{ n: 1 }, { n: 2, m: { k: 3 } }] } },
  { x: { y: [{ n: 1 }] } },
  { x: [{ n: 1 }] },
  { x: [{ n: 1 }, { n: 2 }], y: [{ w: 'a' }] },
  { x: { n: 5, v: 6 } },
  { x: [null, { n: 1 }] },
  { x: [1, { n: 1 }] },
  { x: [{ y: [{ n: 1 }] }, { y: { n: 2 } }, { y: null }, {}] },
  { x: { y: null } },
  { x: [{}] },
  { x: [{ n: [1, 2] }] },
  { x: [{ n: { c: 1 } }, { n: [{ c: 2 }, { c: 3 }] }] },
  { x: [[{ n: 1 }]] },
  { x: { y: 'str' } },
  { y: [1] },
  { x: { z: 1 }, y: [{ w: null }], z: [] },
];

describe('direct mapping reader (a rename read without JSONata, same result)', () => {
  it.each(SHAPES)('%s agrees with JSONata on every input it accepts', async (expression) => {
    let accepted = 0;
    for (const input of INPUTS) {
      const direct = viaDirect(expression, input);
      if (direct === null) continue;
      accepted++;
      expect({ input, out: direct }).toEqual({ input, out: await viaJsonata(expression, input) });
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it('leaves non-object inputs to JSONata', () => {
    for (const input of [[{ x: 1 }], 'x', 1, null, undefined]) expect(viaDirect('{"a": x}', input)).toBeNull();
  });

  it('compiles only its grammar', () => {
    for (const expression of [
      '{"a": x[0]}',
      '{"a": $x}',
      '{"a": x.y[]}',
      '{"a": x ? 1 : 2}',
      '{"a": x & "s"}',
      '{"a": $string(x)}',
      '{"a": x, "a": y}',
      '{"__proto__": x}',
      '{x: 1}',
      '{"a": x.{"n": n}}',
      '{"a": [x{"n": n}]}',
      '{"a": [x.{"n": n}.m]}',
      '{"a": [x[n > 1].{"n": n}]}',
      '{"a": [x^(n).{"n": n}]}',
      '{"a": [x#$i.{"n": n}]}',
      '{"a": [x@$o.{"n": n}]}',
      '{"a": [x.*]}',
      '{"a": /re/}',
      'x',
      '"s"',
      '($a := 1; {"a": $a})',
      '{"a": 1}{"b": 2}',
    ]) {
      expect({ expression, direct: compileDirectMapping(jsonata(expression).ast()) }).toEqual({ expression, direct: null });
    }
  });

  it('reads the demo POS sale mapping directly', () => {
    const expression = readFileSync(join(DEFAULT_MAPPINGS_DIR, 'demo-pos', 'sale.updated.jsonata'), 'utf8');
    expect(compileMapping(expression).direct).not.toBeNull();
  });

  it('agrees with JSONata for every bundled mapping on every bundled fixture payload', async () => {
    const cases = discoverFixtureCases();
    let compared = 0;
    for (const partner of new Set(cases.map((c) => c.partner))) {
      const dir = join(DEFAULT_MAPPINGS_DIR, partner);
      const mappings = readdirSync(dir).filter((f) => f.endsWith('.jsonata')).map((f) => readFileSync(join(dir, f), 'utf8'));
      for (const c of cases.filter((x) => x.partner === partner)) {
        let input: unknown;
        try {
          input = parseNativeEvent(getAdapter(c.adapter)!, readFileSync(c.payloadPath), {}, c.eventType);
        } catch {
          continue;
        }
        for (const expression of mappings) {
          const direct = compileDirectMapping(jsonata(expression).ast());
          const out = direct?.read(input, 1000);
          if (!direct || out === NEEDS_JSONATA) continue;
          compared++;
          expect({ case: c.name, out: JSON.stringify(toPlainJson(out)) }).toEqual({
            case: c.name,
            out: await viaJsonata(expression, input),
          });
        }
      }
    }
    expect(compared).toBeGreaterThan(0);
  });

  it('still applies the guard: a mapping deeper than half the depth limit goes to JSONata, which stops it', async () => {
    const compiled = compileMapping('{"a": {"b": {"c": {"d": x}}}}');
    expect(compiled.direct?.depth).toBe(6);
    expect(await evaluateMapping(compiled, { x: 1 }, { maxDepth: 12 })).toEqual({ a: { b: { c: { d: 1 } } } });
    await expect(evaluateMapping(compiled, { x: 1 }, { maxDepth: 5 })).rejects.toMatchObject({
      code: 'mapping_failed',
      details: { code: 'U1001' },
    });
  });

  it('hands a very large input over to JSONata past a tenth of the time limit', () => {
    const direct = compileDirectMapping(jsonata('{"a": [x.{"n": n}]}').ast())!;
    const input = { x: Array.from({ length: 200_000 }, (_, n) => ({ n })) };
    expect(direct.read(input, 0)).toBe(NEEDS_JSONATA);
    expect((direct.read(input, 60_000) as { a: unknown[] }).a).toHaveLength(200_000);
  });
});
