import { Writable } from 'node:stream';
import { capLogValue, createLogger, LOG_CAPS, OutageLog } from '../../src/platform/logger';

/** A logger writing its lines into an array. */
function captured(level = 'info'): { lines: () => Record<string, any>[]; raw: string[]; logger: ReturnType<typeof createLogger> } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger(level, stream);
  return { raw, lines: () => raw.map((l) => JSON.parse(l) as Record<string, any>), logger };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('logged values are capped', () => {
  it('cuts long strings and arrays, bounds nesting and describes buffers', () => {
    const capped = capLogValue({
      text: 'x'.repeat(70_000),
      list: Array.from({ length: 500 }, (_, i) => i),
      deep: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } },
      buffer: Buffer.alloc(2048),
      short: 'ok',
    }) as Record<string, any>;
    expect(capped.text).toHaveLength(LOG_CAPS.string + '…[+69000 chars]'.length);
    expect(capped.text.endsWith('…[+69000 chars]')).toBe(true);
    expect(capped.list).toHaveLength(LOG_CAPS.items + 1);
    expect(capped.list[LOG_CAPS.items]).toBe('…[+480 items]');
    expect(JSON.stringify(capped.deep)).toContain('[nested too deep]');
    expect(capped.buffer).toBe('[Buffer 2048 bytes]');
    expect(capped.short).toBe('ok');
  });

  it('keeps an error line small when the error carries whole SQL parameters, and still redacts secrets', async () => {
    const { logger, raw, lines } = captured();
    const err = Object.assign(new Error('Data too long for column'), {
      query: `INSERT INTO inbound_events VALUES (${'?, '.repeat(5000)}?)`,
      parameters: ['a'.repeat(1_100_000), ...Array.from({ length: 5000 }, () => 'v')],
      driverError: { code: 'ER_DATA_TOO_LONG', sql: `INSERT … '${'b'.repeat(500_000)}'` },
    });
    logger.error({ err, partner: { name: 'pos', secret: 'hunter2' }, payload: 'p'.repeat(200_000) }, 'request failed');
    await flush();
    expect(raw).toHaveLength(1);
    expect(raw[0]!.length).toBeLessThan(20_000);
    const line = lines()[0]!;
    expect(line.err.message).toBe('Data too long for column');
    expect(line.err.type).toBe('Error');
    expect(line.err.parameters).toHaveLength(LOG_CAPS.items + 1);
    expect(line.err.driverError.code).toBe('ER_DATA_TOO_LONG');
    expect(line.partner.secret).toBe('[redacted]');
    expect(raw[0]).not.toContain('hunter2');
  });
});

describe('a dependency outage is logged once, then paced', () => {
  it('writes the first error, one line per interval with the count left out, and one recovery line', async () => {
    const { logger, lines } = captured();
    let now = 0;
    const outage = new OutageLog('redis', { everyMs: 5000, now: () => now });
    // A 12 s outage reported a thousand times a second (every request and reconnect).
    for (now = 0; now < 12_000; now += 1) outage.report(logger, new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    outage.recovered(logger);
    await flush();
    const written = lines();
    expect(written.map((l) => l.msg)).toEqual([
      'redis unavailable',
      'redis still unavailable',
      'redis still unavailable',
      'redis reachable again',
    ]);
    expect(written[0]!.err).toBe('connect ECONNREFUSED 127.0.0.1:6379');
    expect(written[1]!.suppressed).toBe(4999);
    expect(written[3]).toMatchObject({ dependency: 'redis', down_for_ms: 12_000, level: 30 });
    // Not down any more: a second recovery writes nothing; a new outage is logged at once.
    expect(outage.recovered(logger)).toBe(false);
    expect(outage.report(logger, new Error('again'))).toBe(true);
  });

  it('takes an outage nobody has reported for a whole interval as over', () => {
    const { logger } = captured('silent');
    let now = 0;
    const outage = new OutageLog('database', { everyMs: 1000, now: () => now });
    expect(outage.report(logger, new Error('down'))).toBe(true);
    now = 500;
    expect(outage.report(logger, new Error('down'))).toBe(false);
    now = 5000;
    expect(outage.report(logger, new Error('down again'))).toBe(true);
  });
});
