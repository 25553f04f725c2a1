import { adapters, getAdapter } from '../../adapters';
import { exponentOf, lightspeed, toMinorUnits } from '../../adapters/lightspeed';
import { minor } from '../../src/modules/partners/mapping/mapping-functions';
import { validateCommands } from '../../src/modules/commands/canonical-commands';
import {
  describeFailure,
  discoverFixtureCases,
  jsonDiff,
  readPartnerManifest,
  runFixtureCase,
  DEFAULT_MAPPINGS_DIR,
} from '../../src/modules/partners/mapping/fixture-runner';
import { extractSaleIds, mapNativeEvent } from '../../src/modules/partners/mapping/map-native-event';
import { AppError } from '../../src/platform/app-error';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const cases = discoverFixtureCases();

describe('mapping fixtures (mappings/<partner>/fixtures)', () => {
  /**
   * What every template folder must cover (issue 17), by its partner.json `kind`: a README row for the case (the
   * first cell of a table under "## Fixtures") naming the fixtures that cover it, or saying why the vendor has
   * none. A folder without a README (only an installed demo may lack one) covers each case by a fixture's name.
   */
  const REQUIRED: Record<'pos' | 'reservations', { label: RegExp; name: RegExp }[]> = {
    pos: [
      { label: /closed sale/i, name: /closed-with-items/ },
      { label: /^an update/i, name: /update/ },
      { label: /void|refund/i, name: /void|refund/ },
      { label: /table-closed/i, name: /table-closed/ },
      { label: /unknown location/i, name: /unknown-location/ },
      { label: /test|ping/i, name: /ping|test/ },
    ],
    reservations: [
      { label: /new reservation/i, name: /new/ },
      { label: /^an update/i, name: /update|moved/ },
      { label: /cancel/i, name: /cancel/ },
      { label: /unknown location/i, name: /unknown-location/ },
      { label: /test|ping/i, name: /ping|test/ },
    ],
  };
  const folders = readdirSync(DEFAULT_MAPPINGS_DIR).filter((d) => !d.startsWith('.')).sort();
  const fixturesOf = (folder: string) => cases.filter((c) => c.partner === folder).map((c) => c.name.slice(folder.length + 1));
  /** The rows of the tables under "## Fixtures": [first cell, the rest of the row]. */
  const fixtureRows = (readme: string): [string, string][] => {
    const at = readme.search(/^## Fixtures/m);
    if (at < 0) return [];
    const section = readme.slice(at).split(/\n## /)[0]!;
    return section.split('\n').filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l)).map((l) => {
      const [first = '', ...rest] = l.slice(1).split('|');
      return [first.trim(), rest.join('|')];
    });
  };

  it('finds fixtures in every mappings/ folder', () => {
    expect(new Set(cases.map((c) => c.partner))).toEqual(new Set(folders));
  });

  it.each(folders)('%s: covers each required case with a fixture, or its README says why the vendor has none', (folder) => {
    const dir = join(DEFAULT_MAPPINGS_DIR, folder);
    const manifest = readPartnerManifest(dir);
    const required = REQUIRED[manifest.kind === 'reservations' ? 'reservations' : 'pos'];
    const fixtures = fixturesOf(folder);
    if (!existsSync(join(dir, 'README.md'))) {
      // Only an installed demo may do without a README; a catalog template needs one (issue 17).
      expect({ folder, install: manifest.install }).toEqual({ folder, install: true });
      for (const { name } of required) expect({ folder, name: String(name), found: fixtures.some((f) => name.test(f)) }).toEqual({ folder, name: String(name), found: true });
      return;
    }
    const rows = fixtureRows(readFileSync(join(dir, 'README.md'), 'utf8'));
    for (const { label } of required) {
      const matching = rows.filter(([first]) => label.test(first));
      expect({ folder, label: String(label), rows: matching.length > 0 }).toEqual({ folder, label: String(label), rows: true });
      const named = matching.flatMap(([, rest]) => [...rest.matchAll(/`([^`\s]+--[^`\s]+)`/g)].map((m) => m[1]!));
      // Every fixture a row names exists; a row naming none gives a reason (more than a dash or "n/a").
      for (const name of named) expect({ folder, name, exists: fixtures.includes(name) }).toEqual({ folder, name, exists: true });
      if (named.length === 0) {
        const reason = matching.map(([, rest]) => rest.replace(/[|—–-]|n\/a:?/gi, ' ').trim()).join(' ').trim();
        expect({ folder, label: String(label), reason: reason.length > 10 }).toEqual({ folder, label: String(label), reason: true });
      }
    }
    // And every fixture on disk is in the README's fixture tables, with where it comes from.
    const listed = rows.map(([first, rest]) => `${first}|${rest}`).join('\n');
    expect(fixtures.filter((f) => !listed.includes(`\`${f}\``))).toEqual([]);
  });

  it.each(folders.filter((f) => existsSync(join(DEFAULT_MAPPINGS_DIR, f, 'README.md'))))(
    '%s: README gives the vendor docs of partner.json, the signature header, retry behaviour, our assumptions, and says when the vendor only notifies',
    (folder) => {
      const dir = join(DEFAULT_MAPPINGS_DIR, folder);
      const manifest = readPartnerManifest(dir);
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      const docs = Array.isArray(manifest.docs) ? (manifest.docs as string[]) : [];
      expect(docs.filter((url) => !readme.includes(url))).toEqual([]);
      expect(readme.toLowerCase()).toContain(String(manifest.signature?.header).toLowerCase());
      expect(readme).toMatch(/retr(y|ies|ied)/i);
      expect(readme).toMatch(/assum/i);
      // A vendor whose webhooks only notify (an id, no order) says so, and those fixtures map to nothing.
      const notifying = cases.filter((c) => c.partner === folder && c.caseName.includes('notification'));
      if (notifying.length) expect(readme).toMatch(/notification only/i);
      for (const c of notifying) expect({ fixture: c.name, expected: JSON.parse(readFileSync(c.expectedPath, 'utf8')) }).toEqual({ fixture: c.name, expected: [] });
    },
  );

  it('names a registered adapter in every partner.json', () => {
    for (const partner of new Set(cases.map((c) => c.partner))) {
      const manifest = readPartnerManifest(join(DEFAULT_MAPPINGS_DIR, partner));
      expect(getAdapter(manifest.adapter)).toBeDefined();
      expect(manifest.signature?.scheme).toEqual(expect.any(String));
    }
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, fixture) => {
    it('yields the expected canonical commands through the production mapping path', async () => {
      const result = await runFixtureCase(fixture);
      if (!result.pass) throw new Error(`${fixture.name}\n${describeFailure(result).join('\n')}`);
      expect(result.actual).toEqual(result.expected);
      expect(result.schemaErrors).toEqual([]);
    });
  });
});

describe('jsonDiff', () => {
  it('lists one line per differing path, ignoring key order', () => {
    expect(jsonDiff({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toEqual([]);
    expect(jsonDiff([{ total: 8450, x: 'a' }], [{ total: 8400, y: 'b' }])).toEqual([
      '- /0/total: 8450',
      '+ /0/total: 8400',
      '- /0/x: "a"',
      '+ /0/y: "b"',
    ]);
    expect(jsonDiff([], [1])).toEqual(['+ /0: 1']);
    expect(jsonDiff('9765040300495493', 9765040300495492)).toEqual(['- /: "9765040300495493"', '+ /: 9765040300495492']);
  });
});

describe('validateCommands', () => {
  const sale = {
    type: 'sale',
    location_id: '9765040300495493',
    sale_id: 'S-1',
    status: 'closed',
    total: 8400,
    currency: 'GBP',
  };

  it('treats nothing, null and [] as ignored', () => {
    for (const output of [undefined, null, []]) expect(validateCommands(output)).toEqual({ commands: [], errors: [] });
  });

  it('accepts one command or an array, skipping null entries', () => {
    expect(validateCommands(sale).commands).toEqual([sale]);
    const status = { type: 'booking_status', location_id: 42, table_number: 12, status: 'completed' };
    expect(validateCommands([sale, null, status])).toEqual({ commands: [sale, status], errors: [] });
  });

  it('accepts integer or string ids and optional nulls', () => {
    const ok = { ...sale, location_id: 7, sale_id: 99, booking_id: null, version: 3, table_number: '12A', tip: null };
    expect(validateCommands(ok).errors).toEqual([]);
  });

  it('is strict: unknown fields, fractional money, bad currency and timestamps are errors with paths', () => {
    const { errors } = validateCommands([
      { ...sale, total: 84.5, currency: 'gbp', opened_at: '2026-05-01 18:00', extra: 1 },
      { type: 'refund' },
      'nope',
    ]);
    expect(errors).toEqual([
      { index: 0, path: '', message: 'must NOT have additional property "extra"' },
      { index: 0, path: '/total', message: 'must be integer' },
      { index: 0, path: '/currency', message: 'must match pattern "^[A-Z]{3}$"' },
      { index: 0, path: '/opened_at', message: 'must match format "date-time"' },
      { index: 1, path: '/type', message: 'must be one of "sale", "booking_status", "reservation"' },
      { index: 2, path: '', message: 'must be an object (a canonical command)' },
    ]);
  });

  it('requires the sale essentials and checks items', () => {
    const { errors } = validateCommands({ type: 'sale', status: 'paid', items: [{ name: 'x', quantity: 1, total: 1.5 }] });
    expect(errors.map((e) => `${e.path} ${e.message}`)).toEqual(
      expect.arrayContaining([
        " must have required property 'location_id'",
        " must have required property 'total'",
        '/status must be one of "open", "closed", "void", "refunded"',
        '/items/0/total must be integer',
      ]),
    );
  });

  it('rejects a booking_status with an unknown status', () => {
    const { errors } = validateCommands({ type: 'booking_status', location_id: 'L1', status: 'left' });
    expect(errors).toEqual([{ index: 0, path: '/status', message: 'must be one of "seated", "completed", "cancelled", "no_show"' }]);
  });
});

describe('mapNativeEvent', () => {
  const body = JSON.stringify({ location_id: 'demo-venue-1', sale: { id: 'D-1', status: 'closed', total: 100, currency: 'GBP' } });
  const expression = '{"type": "sale", "location_id": location_id, "sale_id": sale.id, "status": sale.status, "total": sale.total, "currency": sale.currency}';

  it('parses, maps and validates; exposes the input the mapping saw', async () => {
    const mapped = await mapNativeEvent({ adapter: adapters.generic, rawBody: body, eventType: 'sale.updated', expression });
    expect(mapped.input).toEqual(JSON.parse(body));
    expect(mapped.commands).toHaveLength(1);
    expect(mapped.errors).toEqual([]);
    expect(extractSaleIds(mapped.commands)).toEqual(['D-1']);
  });

  it('turns an unparseable body into invalid_payload', async () => {
    await expect(
      mapNativeEvent({ adapter: adapters.generic, rawBody: '{nope', eventType: 'x', expression }),
    ).rejects.toMatchObject({ code: 'invalid_payload' });
  });

  it('turns a bad expression into invalid_mapping', async () => {
    const err = await mapNativeEvent({ adapter: adapters.generic, rawBody: body, eventType: 'x', expression: '{' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('invalid_mapping');
  });

  it('returns schema errors instead of throwing, for the dry run', async () => {
    const mapped = await mapNativeEvent({ adapter: adapters.generic, rawBody: body, eventType: 'x', expression: '{"type": "sale"}' });
    expect(mapped.commands).toEqual([]);
    expect(mapped.errors.length).toBeGreaterThan(0);
  });

  it('extracts distinct sale ids as strings', () => {
    const sale = (id: string | number) =>
      ({ type: 'sale', location_id: 'L', sale_id: id, status: 'open', total: 0, currency: 'EUR' }) as const;
    expect(
      extractSaleIds([sale('A'), sale(7), sale('A'), { type: 'booking_status', location_id: 'L', status: 'seated' }]),
    ).toEqual(['A', '7']);
  });
});

describe('lightspeed adapter normalise', () => {
  it('converts decimal amounts to minor units exactly', () => {
    expect(toMinorUnits(14.12, 2)).toBe(1412);
    expect(toMinorUnits(0.29, 2)).toBe(29);
    expect(toMinorUnits('4.00', 2)).toBe(400);
    expect(toMinorUnits(-2.5, 2)).toBe(-250);
    expect(toMinorUnits(1.005, 2)).toBe(101);
    expect(toMinorUnits(1500, 0)).toBe(1500);
    expect(toMinorUnits(1.2345, 3)).toBe(1235);
    expect(toMinorUnits('abc', 2)).toBeUndefined();
    expect(toMinorUnits(null, 2)).toBeUndefined();
  });

  it('uses the currency exponent', () => {
    expect(exponentOf('EUR')).toBe(2);
    expect(exponentOf('JPY')).toBe(0);
    expect(exponentOf('BHD')).toBe(3);
    expect(exponentOf(undefined)).toBe(2);
    expect(exponentOf('XYZ')).toBe(2);
  });

  it("uses $minor's ISO 4217 exponents (one table), also where the runtime's ICU data differs", () => {
    for (const [currency, amount] of [['EUR', 86.5], ['JPY', 1500], ['BHD', 1.234], ['HUF', 86.5], ['IDR', 12500.5], ['IQD', 1.25]] as const) {
      const out = lightspeed.normalise({ account: { currencyCode: currency, totalAmount: amount } }) as { account: Record<string, unknown> };
      expect([currency, out.account.totalAmountMinor]).toEqual([currency, minor(amount, currency)]);
    }
  });

  it('adds <field>Minor beside amounts without touching the input', () => {
    const input = { account: { currencyCode: 'EUR', totalAmount: 86.5, transactionLines: [{ unitAmount: 19.5 }] } };
    const out = lightspeed.normalise(input) as { account: Record<string, unknown> };
    expect(out.account.totalAmountMinor).toBe(8650);
    expect((out.account.transactionLines as Record<string, unknown>[])[0].unitAmountMinor).toBe(1950);
    expect(input.account).not.toHaveProperty('totalAmountMinor');
  });
});
