import { LosslessNumber } from 'lossless-json';
import { compileDirectMapping, NEEDS_JSONATA } from '../../src/modules/partners/mapping/direct-mapping';
import { closeMappingPool } from '../../src/modules/partners/mapping/mapping-pool';
import { compileMapping, evaluateMapping, newJsonata, toPlainJson } from '../../src/modules/partners/mapping/evaluate-mapping';
import { instant, json, minor } from '../../src/modules/partners/mapping/mapping-functions';

afterAll(() => closeMappingPool());

describe('$minor(amount, currency?)', () => {
  it.each([
    ['19.99', undefined, 1999],
    [19.99, undefined, 1999],
    [0.1 + 0.2, undefined, 30],
    [5, 'JPY', 5],
    ['1.005', 'KWD', 1005],
    ['19.999', undefined, 2000],
    ['1.005', 'BHD', 1005],
    ['1.5', 'JPY', 2], // half-even: 1.5 → 2
    ['2.5', 'JPY', 2], // half-even: 2.5 → 2
    ['0.125', 'GBP', 12],
    ['0.135', 'GBP', 14],
    ['-19.99', 'GBP', -1999],
    ['-0.125', undefined, -12],
    ['-0.001', undefined, 0],
    [-5, 'JPY', -5],
    ['1e3', undefined, 100000],
    ['1.5E-1', undefined, 15],
    [1e21, 'JPY', null], // beyond 2^53 minor units
    ['+3', 'gbp', 300],
    [' 7.10 ', 'EUR', 710],
    ['.5', undefined, 50],
    ['5.', undefined, 500],
    ['0.000000000000000000001', undefined, 0],
    ['1e-999999', undefined, 0],
    ['12345678901234.56', 'GBP', 1234567890123456],
    ['90071992547409.91', 'GBP', 9007199254740991], // 2^53 − 1: the largest exact amount
    ['90071992547409.92', 'GBP', null], // 2^53: out of range
    ['1e999999', undefined, null],
    [new LosslessNumber('12.34'), undefined, 1234],
    [12n, 'GBP', 1200],
    ['1.2345', 'CLF', 12345], // exponent 4
  ])('%p %p → %p', (amount, currency, expected) => {
    if (expected === null) expect(() => minor(amount, currency)).toThrow(/beyond the largest exact amount/);
    else expect(minor(amount, currency)).toBe(expected);
  });

  it('yields nothing for an absent or null amount', () => {
    expect(minor(undefined)).toBeUndefined();
    expect(minor(null, 'GBP')).toBeUndefined();
  });

  it.each(['', '   ', 'abc', '1,234.56', '12.3.4', '--1', '1e', 'NaN', 'Infinity', '0x10', '£5'])('refuses %p as not a decimal amount', (amount) => {
    expect(() => minor(amount)).toThrow(/\$minor: not a decimal amount/);
  });

  it('refuses other types and overlong text', () => {
    expect(() => minor(true)).toThrow(/not a decimal amount/);
    expect(() => minor({ amount: 1 })).toThrow(/not a decimal amount/);
    expect(() => minor('1'.repeat(101))).toThrow(/not a decimal amount/);
  });

  it.each(['ZZZ', 'pounds', '', 'GB', 42])('refuses the unknown currency %p', (currency) => {
    expect(() => minor('1.00', currency)).toThrow(/\$minor: unknown currency/);
  });
});

describe('$instant(value)', () => {
  it.each([
    [1700000000, '2023-11-14T22:13:20.000Z'], // seconds
    [1700000000123, '2023-11-14T22:13:20.123Z'], // milliseconds
    [99999999999, '1973-03-03T09:46:39.999Z'], // 10^11 − 1 ms... no: below 10^11 are seconds
    [1700000000.5, '2023-11-14T22:13:20.500Z'],
    ['1700000000', '2023-11-14T22:13:20.000Z'],
    [0, '1970-01-01T00:00:00.000Z'],
    [-86400, '1969-12-31T00:00:00.000Z'],
    ['2024-05-01T18:30:00Z', '2024-05-01T18:30:00.000Z'],
    ['2024-05-01T18:30:00+0000', '2024-05-01T18:30:00.000Z'],
    ['2024-05-01T18:30:00+00:00', '2024-05-01T18:30:00.000Z'],
    ['2024-05-01T19:30:00+0100', '2024-05-01T18:30:00.000Z'],
    ['2024-05-01T12:00:00.123456-05:30', '2024-05-01T17:30:00.123Z'],
    ['2024-05-01 18:30:00.5+00', '2024-05-01T18:30:00.500Z'],
    ['2024-05-01T18:30Z', '2024-05-01T18:30:00.000Z'],
    ['2024-02-29T00:00:00z', '2024-02-29T00:00:00.000Z'],
    ['0050-01-01T00:00:00Z', '0050-01-01T00:00:00.000Z'],
  ])('%p → %p', (value, expected) => {
    if (value === 99999999999) expected = new Date(99999999999 * 1000).toISOString();
    expect(instant(value)).toBe(expected);
  });

  it('yields nothing for an absent or null value', () => {
    expect(instant(undefined)).toBeUndefined();
    expect(instant(null)).toBeUndefined();
  });

  it.each([
    ['', /empty text is not a time/],
    ['2024-05-01T18:30:00', /not an epoch time or an ISO 8601 date-time with an offset/], // no offset
    ['2024-05-01', /not an epoch time/],
    ['yesterday', /not an epoch time/],
    ['2023-02-29T00:00:00Z', /not a valid date-time/],
    ['2024-13-01T00:00:00Z', /not a valid date-time/],
    ['2024-05-01T24:00:00Z', /not a valid date-time/],
    ['2024-05-01T18:30:00+2500', /not a valid date-time/],
    [1e300, /out of range/],
    ['9'.repeat(30), /out of range/],
    [true, /expects a number or a string/],
  ])('refuses %p', (value, message) => {
    expect(() => instant(value)).toThrow(message);
  });
});

describe('$json(text)', () => {
  it('parses losslessly: integers beyond 2^53 keep every digit', () => {
    expect(json('{"id": 9765040300495493123, "n": 1.5, "a": [1]}')).toEqual({ id: '9765040300495493123', n: 1.5, a: [1] });
    expect(json('"s"')).toBe('s');
    expect(json(' null ')).toBeNull();
  });

  it('yields nothing for an absent or null value, and refuses what is not JSON text', () => {
    expect(json(undefined)).toBeUndefined();
    expect(json(null)).toBeUndefined();
    expect(() => json('')).toThrow(/\$json: the text is not valid JSON/);
    expect(() => json('{oops')).toThrow(/\$json: the text is not valid JSON/);
    expect(() => json(12)).toThrow(/\$json: expects a string of JSON, got number/);
    expect(() => json({})).toThrow(/expects a string/);
  });
});

/** JSONata's own answer (with the functions registered), serialised so key order counts; or the error. */
async function viaJsonata(expression: string, input: unknown): Promise<string> {
  try {
    return JSON.stringify(toPlainJson(await newJsonata(expression).evaluate(input)));
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

/** The direct reader's answer, likewise; null when it hands the case to JSONata. */
function viaDirect(expression: string, input: unknown): string | null {
  const direct = compileDirectMapping(newJsonata(expression).ast());
  if (!direct) throw new Error(`not a direct mapping: ${expression}`);
  try {
    const out = direct.read(input, 1000);
    return out === NEEDS_JSONATA ? null : JSON.stringify(toPlainJson(out));
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

describe('the mapping functions in the direct reader and in JSONata: same results', () => {
  const SHAPES = [
    '{"m": $minor(amount, currency), "i": $instant(at), "j": $json(text)}',
    '{"m": $minor(amount), "fixed": $minor("1.005", "KWD")}',
    '[$minor(amount, "JPY"), $instant(at), $json(text)]',
    '{"items": [lines.{"q": $minor(price, currency), "t": $instant(at)}]}',
    '{"nested": {"deep": $json(text)}, "x": $minor(missing)}',
  ];
  const INPUTS: unknown[] = [
    {},
    { amount: '19.99', currency: 'GBP', at: 1700000000, text: '{"id": 9765040300495493123}' },
    { amount: 19.99, at: '2024-05-01T18:30:00+0000', text: '[1, 2]' },
    { amount: -0.125, currency: 'KWD', at: '2024-05-01T18:30:00+00:00', text: '"s"' },
    { amount: null, currency: null, at: null, text: null },
    { amount: '', at: '', text: '' },
    { amount: 'abc', currency: 'ZZZ', at: 'soon', text: '{oops' },
    { amount: '1e3', currency: 'jpy', at: 1700000000123, text: '{"a": {"b": [1, {"c": 2}]}}' },
    { amount: [1, 2], at: [1], text: ['x'] },
    { amount: { v: 1 }, text: 5 },
    { lines: [{ price: '1.5', currency: 'JPY', at: 0 }, { price: '2.5', currency: 'JPY' }, { price: '0.005' }] },
    { lines: [{ price: 'x' }] },
    { lines: { price: '3', at: '2024-01-01T00:00:00Z' } },
  ];

  // JSONata starts every call of a constructor before the first settles, so when several fail, the error
  // it reports is the first to settle (not the first written); the reader reports the first written. So
  // with more than one failing call only "an error" is compared; with one, the message is.
  it.each(SHAPES)('%s', async (expression) => {
    let compared = 0;
    for (const input of INPUTS) {
      const direct = viaDirect(expression, input);
      if (direct === null) continue;
      compared++;
      const expected = await viaJsonata(expression, input);
      if (direct.startsWith('error:') && expected.startsWith('error:')) continue;
      expect({ input, out: direct }).toEqual({ input, out: expected });
    }
    expect(compared).toBeGreaterThan(INPUTS.length / 2);
  });

  it.each([
    ['{"m": $minor(v)}', ['1.5', '', 'x', null, [1], 1e300, '-0.005']],
    ['{"i": $instant(v)}', [1700000000, '', '2024-05-01T00:00:00+0000', '2024-05-01T00:00:00', null, false]],
    ['{"j": $json(v)}', ['{"a": 9765040300495493123}', '', '{', null, 3, '[1,2]']],
  ])('%s: same value or the same error message', async (expression, values) => {
    for (const v of values) {
      const direct = viaDirect(expression, { v });
      if (direct === null) continue;
      expect({ v, out: direct }).toEqual({ v, out: await viaJsonata(expression, { v }) });
    }
  });

  it('compiles mapping-function calls into the direct reader, but nothing else', () => {
    expect(compileDirectMapping(newJsonata('{"a": $minor(x, "GBP")}').ast())).not.toBeNull();
    for (const expression of ['{"a": $number(x)}', '{"a": $minor(x + 1)}', '{"a": $minor(x)[0]}', '{"a": $json(x).id}', '($minor := 1; {"a": $minor(x)})']) {
      expect({ expression, direct: compileDirectMapping(newJsonata(expression).ast()) }).toEqual({ expression, direct: null });
    }
  });

  it('fails a mapping with the function error on both paths (mapping_failed, its code)', async () => {
    const direct = compileMapping('{"total": $minor(total, currency)}');
    expect(direct.direct).not.toBeNull();
    await expect(evaluateMapping(direct, { total: '12,50', currency: 'EUR' })).rejects.toMatchObject({
      code: 'mapping_failed',
      message: 'Mapping failed: $minor: not a decimal amount: "12,50"',
      details: { code: 'M0102' },
    });
    const pooled = compileMapping('{"total": $minor(total, currency), "n": $count(items)}');
    expect(pooled.direct).toBeNull();
    await expect(evaluateMapping(pooled, { total: '12,50', currency: 'EUR' })).rejects.toMatchObject({
      code: 'mapping_failed',
      message: 'Mapping failed: $minor: not a decimal amount: "12,50"',
      details: { code: 'M0102' },
    });
  });

  it('gives the issue examples through the whole evaluator (thread pool included)', async () => {
    const compiled = compileMapping(
      '{"a": $minor("19.99"), "b": $minor(19.99), "c": $minor(0.1 + 0.2), "d": $minor(5, "JPY"), "e": $minor("1.005", "KWD"), "f": $minor("19.999"), "g": $json(s).id, "h": $instant(t)}',
    );
    expect(await evaluateMapping(compiled, { s: '{"id": 9765040300495493123}', t: '2024-05-01T18:30:00+0000' })).toEqual({
      a: 1999,
      b: 1999,
      c: 30,
      d: 5,
      e: 1005,
      f: 2000,
      g: '9765040300495493123',
      h: '2024-05-01T18:30:00.000Z',
    });
  });
});
