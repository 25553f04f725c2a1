import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getUnsafeNumberReason, isInteger, isSafeNumber, parse as losslessParse, UnsafeNumberReason } from 'lossless-json';
import { InvalidPayloadError, parseJsonBody } from '../../adapters/types';
import { compileMapping, evaluateMapping } from '../../src/modules/partners/mapping/evaluate-mapping';
import { parseJsonLossless, stringifyJson } from '../../src/platform/lossless-json';

describe('parseJsonLossless', () => {
  it('keeps every digit of an integer beyond 2^53 as a decimal string', () => {
    const parsed = parseJsonLossless('{"businessLocationId": 9765040300495493, "neg": -9007199254740993}') as Record<string, unknown>;
    expect(parsed.businessLocationId).toBe('9765040300495493');
    expect(parsed.neg).toBe('-9007199254740993');
    // What JSON.parse would have done:
    expect(String(JSON.parse('9765040300495493'))).toBe('9765040300495492');
  });

  it('turns safe numbers into JS numbers', () => {
    expect(parseJsonLossless('[0, -1, 9007199254740991, 14.12, 1.0, 1e2, -0.5]')).toEqual([0, -1, 9007199254740991, 14.12, 1, 100, -0.5]);
  });

  it('keeps floats that only lose trailing precision as numbers, and overflow as text', () => {
    expect(parseJsonLossless('0.12345678901234567890123')).toBeCloseTo(0.1234567890123457, 15);
    expect(parseJsonLossless('1e400')).toBe('1e400');
  });

  it('parses strings, nesting, null and booleans like JSON.parse', () => {
    const text = '{"a":[{"b":"x\\u00e9\\n"},null,true,false],"c":{}}';
    expect(parseJsonLossless(text)).toEqual(JSON.parse(text));
  });

  it('throws on invalid JSON', () => {
    for (const text of ['', '{', '{"a":}', '{} x', "{'a':1}", 'NaN', '[1,]']) {
      expect(() => parseJsonLossless(text)).toThrow(SyntaxError);
    }
  });

  it('rejects a key repeated with different values (ambiguous signed payload)', () => {
    expect(() => parseJsonLossless('{"total": 100, "total": 1}')).toThrow(/Duplicate key/);
  });

  it('also rejects a repeated key written with an escape, and one in a nested object', () => {
    expect(() => parseJsonLossless('{"a": 1, "\\u0061": 2}')).toThrow(/Duplicate key/);
    expect(() => parseJsonLossless('{"x": [{"a": 1, "b": 2, "a": 3}]}')).toThrow(/Duplicate key/);
    // The same key in sibling objects is no repeat.
    expect(parseJsonLossless('[{"a": 1}, {"a": 2}]')).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('gives exactly what the lossless parser gives, fast path or not', () => {
    const fixtures = readdirSync(join(__dirname, '../../mappings'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.includes('fixtures') && f.endsWith('.json'))
      .map((f) => readFileSync(join(__dirname, '../../mappings', f), 'utf8'));
    expect(fixtures.length).toBeGreaterThan(10);
    const edgeCases = [
      '{"a":"x,\\"y\\":1","y":2}', '{"n":123456789012345,"m":1234567890123456}', '[1.5e3, 2E-2, 0.000000000000000001]',
      '{"s":"123456789012345678","t":true,"f":false,"z":null}', '{"":1,"k":{"":2}}', '{"a":[],"b":{},"c":[[{"d":-0}]]}',
    ];
    for (const text of [...fixtures, ...edgeCases]) {
      expect(parseJsonLossless(text)).toEqual(losslessParse(text, null, (v: string) => {
        if (isInteger(v)) return isSafeNumber(v) ? Number(v) : v;
        const reason = getUnsafeNumberReason(v);
        return reason === undefined || reason === UnsafeNumberReason.truncate_float ? Number(v) : v;
      }));
    }
  });

  it('keeps __proto__ as a plain own key', () => {
    const parsed = parseJsonLossless('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('stringifyJson', () => {
  it('round-trips big ids as the strings they were parsed into', () => {
    const parsed = parseJsonLossless('{"id":9765040300495493,"n":1}');
    expect(stringifyJson(parsed)).toBe('{"id":"9765040300495493","n":1}');
  });

  it('writes bigint as a JSON number', () => {
    expect(stringifyJson({ id: 9765040300495493n })).toBe('{"id":9765040300495493}');
  });

  it('throws on a value JSON cannot hold', () => {
    expect(() => stringifyJson(undefined)).toThrow(TypeError);
  });
});

describe('parseJsonBody (adapters)', () => {
  it('tolerates a UTF-8 BOM', () => {
    expect(parseJsonBody(Buffer.from('\uFEFF{"a":1}'))).toEqual({ a: 1 });
  });

  it('throws InvalidPayloadError on empty, non-UTF-8 and non-JSON bodies', () => {
    for (const body of [Buffer.alloc(0), Buffer.from('   '), Buffer.from([0xff, 0xfe, 0x7b]), Buffer.from('<xml/>')]) {
      expect(() => parseJsonBody(body)).toThrow(InvalidPayloadError);
    }
  });

  it('keeps a Lightspeed fixture location id through JSONata', async () => {
    // Lightspeed's own POS reservation updated example (mappings/lightspeed/README.md).
    const raw = readFileSync(join(__dirname, '../../mappings/lightspeed/fixtures/pos-reservation-updated--table-closed.json'));
    expect(raw.toString()).toContain('"businessLocationId": 9765040300495493');
    const body = parseJsonBody(raw);
    const out = await evaluateMapping(compileMapping('{"id": $string(businessLocationId), "raw": businessLocationId}'), body);
    expect(out).toEqual({ id: '9765040300495493', raw: '9765040300495493' });
  });
});
