import { connect } from 'node:net';
import { createApiKey, createVenue } from '../helpers/fixtures';
import { createTestPartner, linkLocation, putMapping } from '../helpers/partner';
import { startProcesses, type ProcessGroup } from '../helpers/processes';
import { ADMIN_TOKEN } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';
import { newSaleId, pool, report, setupPos } from './fault-helpers';
import { signFor } from '../helpers/sign';
import { getAdapter } from '../../adapters';
import type { TestPartner } from '../helpers/partner';

/** How many hostile requests in all (the issue's 10,000 by default). */
const TOTAL = Number(process.env.FAULT_HOSTILE_REQUESTS ?? 10_000);

interface Answer {
  /** 0 = no answer within the time allowed. */
  status: number;
  /** The error envelope's code, if the body was one. */
  code: string | null;
  /** event_id of an accepted POS event. */
  eventId: string | null;
  ms: number;
}

/** What a case must be answered: the status(es) and, for errors, the envelope code. */
interface Expected {
  status: number[];
  code?: string;
  /** Answered within this many ms (a declared 999999999999-byte body: at once). */
  withinMs?: number;
}

interface Hostile {
  name: string;
  /** Relative share of the requests. */
  weight: number;
  expect: Expected;
  /** A live POS event whose fate is checked afterwards: it must end `processed`, or `failed` with this reason. */
  live?: { status: 'processed' } | { status: 'failed'; reason: RegExp };
  send(base: string): Promise<Answer>;
}

/**
 * A raw HTTP/1.1 request over a socket (bodies and headers fetch will not send), read to the end of the
 * answer (Connection: close). An unanswered request is status 0 after `timeoutMs`.
 */
function raw(base: string, head: string, body: Buffer | string = '', timeoutMs = 5000): Promise<Answer> {
  const { port } = new URL(base);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      let code: string | null = null;
      let eventId: string | null = null;
      const payload = text.slice(text.indexOf('\r\n\r\n') + 4);
      try {
        const parsed = JSON.parse(payload) as { error?: { code?: string }; event_id?: string };
        code = parsed.error?.code ?? null;
        eventId = parsed.event_id ?? null;
      } catch {
        /* not JSON (or cut short): no code */
      }
      resolve({ status, code, eventId, ms: Date.now() - t0 });
    };
    socket.setTimeout(timeoutMs, () => {
      chunks.length = 0;
      done();
    });
    // The server may answer (413) and close before the body is written: what was read still counts.
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.write(`${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    socket.write(body);
  });
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** A fixed shuffle (mulberry32), so the cases interleave the same way every run. */
function shuffle<T>(items: T[], seed = 7): T[] {
  let s = seed;
  const rand = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Fault 7 (issue 18): hostile requests on every kind of route, round robin over two API processes, with
 * `/healthz` probed throughout. Each case must get the contract's answer (never a 5xx, never silence); the
 * live POS events among them (lone surrogates, runaway live mappings) must each end in the log with the
 * right status: nothing accepted is lost.
 */
describe('fault 7: hostile requests', () => {
  let group: ProcessGroup;
  beforeAll(async () => {
    group = await startProcesses({ api: 2, workers: 1 });
  }, 120_000);
  afterAll(() => group?.stop());

  it(`${TOTAL} hostile requests: the contract's answer to each, 0 5xx, none unanswered, /healthz within 1 s throughout, still ready, 0 live events lost`, async () => {
    const admin = group.adminApp();
    const events = [{ name: 'Quiz', date: '2031-01-01', start: '19:00', end: '22:00', capacity: 6 }];
    const venue = await createVenue(admin);
    const other = await createVenue(admin, { events });
    const key = await createApiKey(admin, venue.id, undefined, 100_000);
    const { partner } = await setupPos(group);
    // A second partner whose live mapping runs away: its events are accepted and must fail with the limit's reason.
    const runaway = await createTestPartner(admin);
    await putMapping(admin, runaway.name, 'sale.updated', '$replace(sale.items[0].name, /(a+)+b/, "x") = "" ? {"type": "sale"} : null');
    await linkLocation(admin, runaway.name, 'loc-1', venue.id);

    const api = (path: string, body: Buffer | string, extra = '') => (base: string) =>
      raw(base, `POST ${path} HTTP/1.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}${extra}`, body);
    const adminPost = (path: string, body: string, timeoutMs?: number) => (base: string) =>
      raw(base, `POST ${path} HTTP/1.1\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}`, body, timeoutMs);
    const ingestTo = (to: TestPartner, body: () => Buffer) => (base: string) => {
      const bytes = body();
      const path = `/partners/${to.name}/events/sale.updated`;
      const sig = signFor(to.scheme, { secret: to.secret, rawBody: bytes, url: `${base}${path}`, header: to.header }, getAdapter(to.adapter));
      const sigHeaders = Object.entries(sig).map(([k, v]) => `\r\n${k}: ${v}`).join('');
      return raw(base, `POST ${path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}${sigHeaders}`, bytes);
    };
    const ingest = (body: () => Buffer) => ingestTo(partner, body);
    const sale = (items: string) =>
      Buffer.from(`{"location_id":"loc-1","sale":{"id":"${newSaleId()}","version":1,"status":"closed","total":1,"currency":"GBP","items":[${items}]}}`);
    const booking = (over: Record<string, unknown>) => JSON.stringify({ date: '2031-01-01', time: '19:00', party_size: 2, customer_name: 'X', ...over });
    const big = 'x'.repeat(70_000);
    const bad = (code: string): Expected => ({ status: [400], code });
    const dryRun = (expression: string, payload: unknown) =>
      // A dry run may wait behind other runaways on its process's mapping threads (each holds one for its 1 s limit).
      adminPost(`/admin/v1/partners/${partner.name}/mappings/sale.updated/test`, JSON.stringify({ expression, payload }), 20_000);
    const cases: Hostile[] = [
      { name: 'malformed JSON (bookings)', weight: 4, expect: bad('invalid_json'), send: api('/api/v1/bookings', '{"date": ') },
      { name: 'malformed JSON (admin venues)', weight: 4, expect: bad('invalid_json'), send: adminPost('/admin/v1/venues', '{nope') },
      { name: 'malformed JSON (ingest)', weight: 4, expect: bad('invalid_payload'), send: ingest(() => Buffer.from('{"sale": ')) },
      { name: 'deep nesting (bookings)', weight: 2, expect: bad('validation_error'), send: api('/api/v1/bookings', deepObject(20_000)) },
      { name: 'deep nesting + Idempotency-Key (bookings)', weight: 2, expect: bad('validation_error'), send: api('/api/v1/bookings', deepObject(20_000), '\r\nIdempotency-Key: hostile-1') },
      { name: 'deep nesting + Idempotency-Key (customers)', weight: 2, expect: bad('validation_error'), send: api('/api/v1/customers', nested(20_000), '\r\nIdempotency-Key: hostile-2') },
      { name: 'deep nesting (admin venues)', weight: 2, expect: bad('validation_error'), send: adminPost('/admin/v1/venues', deepObject(20_000)) },
      { name: 'deep nesting (ingest)', weight: 2, expect: bad('invalid_payload'), send: ingest(() => Buffer.from(nested(20_000))) },
      { name: 'huge numbers', weight: 4, expect: bad('validation_error'), send: api('/api/v1/bookings', booking({ party_size: 1e308 }).replace('1e+308', '1e400')) },
      {
        // Decoded as UTF-8 with U+FFFD for the bad bytes (as lone surrogates are): a customer, not an error.
        name: 'invalid UTF-8 (customers)',
        weight: 4,
        expect: { status: [200, 201] },
        send: api('/api/v1/customers', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')])),
      },
      { name: 'lone surrogate (customers)', weight: 4, expect: { status: [200, 201] }, send: api('/api/v1/customers', '{"name":"\\ud800 x","email":"s@example.com"}') },
      {
        name: 'lone surrogate (ingest item name, live)',
        weight: 4,
        expect: { status: [200] },
        live: { status: 'processed' },
        send: ingest(() => sale('{"name":"\\udc00","qty":1,"total":1}')),
      },
      { name: '70,000-character value (bookings)', weight: 2, expect: bad('validation_error'), send: api('/api/v1/bookings', booking({ customer_name: big, notes: big })) },
      { name: '70,000-character value (admin venues)', weight: 2, expect: bad('validation_error'), send: adminPost('/admin/v1/venues', JSON.stringify({ name: big, slug: big })) },
      { name: 'oversize body (2 MB)', weight: 1, expect: { status: [413], code: 'payload_too_large' }, send: api('/api/v1/bookings', JSON.stringify({ notes: 'y'.repeat(2_000_000) })) },
      {
        name: 'declared Content-Length 999999999999 (ingest)',
        weight: 2,
        expect: { status: [413], code: 'payload_too_large', withinMs: 1000 },
        send: (b) => raw(b, `POST /partners/${partner.name}/events/sale.updated HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 999999999999`, '{'),
      },
      {
        name: 'declared Content-Length 999999999999 (admin)',
        weight: 2,
        expect: { status: [413], code: 'payload_too_large', withinMs: 1000 },
        send: (b) => raw(b, `POST /admin/v1/venues HTTP/1.1\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 999999999999`, '{'),
      },
      {
        name: 'declared Content-Length 999999999999 (bookings)',
        weight: 2,
        expect: { status: [413], code: 'payload_too_large', withinMs: 1000 },
        send: (b) => raw(b, `POST /api/v1/bookings HTTP/1.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 999999999999`, '{'),
      },
      { name: 'bad Authorization', weight: 4, expect: { status: [401], code: 'invalid_api_key' }, send: (b) => raw(b, `GET /api/v1/bookings HTTP/1.1\r\nAuthorization: Bearer \u00ff\u00fe%%`) },
      {
        name: 'bad Content-Type charset',
        weight: 4,
        expect: { status: [415] },
        send: (b) => raw(b, `POST /api/v1/bookings HTTP/1.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json; charset=ebcdic\r\nContent-Length: 2`, '{}'),
      },
      {
        name: '__proto__ key (bookings)',
        weight: 4,
        expect: bad('validation_error'),
        send: api('/api/v1/bookings', '{"__proto__":{"admin":true},"date":"2031-01-01","time":"19:00","party_size":2,"customer_name":"P"}'),
      },
      {
        name: 'constructor.prototype key (customers)',
        weight: 4,
        expect: bad('validation_error'),
        send: api('/api/v1/customers', '{"constructor":{"prototype":{"x":1}},"name":"P"}'),
      },
      { name: '__proto__ key (admin venues)', weight: 4, expect: bad('validation_error'), send: adminPost('/admin/v1/venues', '{"__proto__":{"x":1},"name":"P","slug":"p-proto"}') },
      { name: 'wrong types (bookings)', weight: 4, expect: bad('validation_error'), send: api('/api/v1/bookings', JSON.stringify({ date: 5, time: [], party_size: 'two', customer_name: {} })) },
      { name: 'wrong types (customers)', weight: 4, expect: bad('validation_error'), send: api('/api/v1/customers', JSON.stringify({ name: 1, email: true, phone: [] })) },
      { name: 'wrong types (webhooks)', weight: 4, expect: bad('validation_error'), send: api('/api/v1/webhooks', JSON.stringify({ url: 7, events: 'all' })) },
      { name: 'wrong types (admin partners)', weight: 4, expect: bad('validation_error'), send: adminPost('/admin/v1/partners', JSON.stringify({ name: [], signature: 'x' })) },
      { name: 'wrong types (admin venues)', weight: 4, expect: bad('validation_error'), send: adminPost('/admin/v1/venues', JSON.stringify({ name: {}, timezone: 3, areas: 'x' })) },
      { name: "another venue's table_id", weight: 4, expect: { status: [404], code: 'not_found' }, send: api('/api/v1/bookings', booking({ table_id: other.json.areas[0].tables[0].id })) },
      { name: "another venue's service_id", weight: 4, expect: { status: [404], code: 'not_found' }, send: api('/api/v1/bookings', booking({ service_id: other.json.services[0].id })) },
      { name: "another venue's event_id", weight: 4, expect: { status: [404], code: 'not_found' }, send: api('/api/v1/bookings', booking({ event_id: other.json.events[0].id })) },
      { name: 'runaway mapping dry run (range)', weight: 0, expect: { status: [422], code: 'mapping_failed' }, send: dryRun('[1..10000000]', {}) },
      { name: 'runaway mapping dry run (regex)', weight: 0, expect: { status: [422], code: 'mapping_failed' }, send: dryRun('$replace($.s, /(a+)+b/, "x")', { s: 'a'.repeat(40) }) },
      {
        name: 'runaway mapping (live)',
        weight: 0,
        expect: { status: [200] },
        live: { status: 'failed', reason: /was stopped/ },
        // Catastrophic backtracking on 40 a's: never ends on its own, only the thread's termination stops it.
        send: ingestTo(runaway, () => sale(`{"name":"${'a'.repeat(40)}","qty":1,"total":1}`)),
      },
    ];
    // Each runaway holds a mapping thread for its full time limit: a fixed few, spread through the run.
    const RUNAWAYS_EACH = 6;
    const weights = cases.reduce((n, c) => n + c.weight, 0);
    const budget = TOTAL - RUNAWAYS_EACH * cases.filter((c) => c.weight === 0).length;
    const work = shuffle(cases.flatMap((c) => Array.from({ length: c.weight === 0 ? RUNAWAYS_EACH : Math.round((budget * c.weight) / weights) }, () => c)));

    const byCase = new Map<string, { count: number; wrong: number; fiveXx: number; unanswered: number; slowest: number; answers: Set<string> }>();
    const live = new Map<string, Hostile>();
    let worstHealthMs = 0;
    let healthProbes = 0;
    let stopProbe = false;
    const probe = (async () => {
      for (let i = 0; i < 5000 && !stopProbe; i++) {
        for (const a of group.apis) {
          const t0 = Date.now();
          await fetch(`http://127.0.0.1:${a.port}/healthz`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
          worstHealthMs = Math.max(worstHealthMs, Date.now() - t0);
          healthProbes++;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const started = Date.now();
    await pool(work.length, 16, async (i) => {
      const c = work[i]!;
      const a = await c.send(group.nextUrl());
      const e = byCase.get(c.name) ?? { count: 0, wrong: 0, fiveXx: 0, unanswered: 0, slowest: 0, answers: new Set<string>() };
      e.count++;
      e.answers.add(`${a.status}${a.code ? ` ${a.code}` : ''}`);
      e.slowest = Math.max(e.slowest, a.ms);
      if (a.status >= 500) e.fiveXx++;
      if (a.status === 0) e.unanswered++;
      const right = c.expect.status.includes(a.status) && (!c.expect.code || a.code === c.expect.code) && (!c.expect.withinMs || a.ms <= c.expect.withinMs);
      if (!right) e.wrong++;
      if (c.live && a.status === 200 && a.eventId) live.set(a.eventId, c);
      byCase.set(c.name, e);
    }, 240_000);
    const seconds = Math.round((Date.now() - started) / 1000);
    stopProbe = true;
    await probe;

    // The live events: each must reach its final status (bounded wait), with the expected outcome.
    const db = await group.db();
    const ids = [...live.keys()];
    let rows: { id: string; status: string; reason: string | null }[] = [];
    await waitFor(
      async () => {
        rows = [];
        for (let i = 0; i < ids.length; i += 1000) {
          rows.push(...((await db.query(`SELECT id, status, reason FROM inbound_events WHERE id IN (?)`, [ids.slice(i, i + 1000)])) as typeof rows));
        }
        return rows.length === ids.length && rows.every((r) => ['processed', 'ignored', 'failed'].includes(r.status));
      },
      { timeoutMs: 120_000, intervalMs: 500, what: 'every live hostile event to reach a final status' },
    ).catch(() => undefined);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const liveLost = ids.filter((id) => {
      const want = live.get(id)!.live!;
      const row = byId.get(id);
      if (!row || row.status !== want.status) return true;
      return want.status === 'failed' && !want.reason.test(row.reason ?? '');
    });

    const crashed = [...group.apis, ...group.workers].filter((a) => a.child.exitCode !== null || a.child.signalCode !== null).length;
    const ready = await Promise.all(group.apis.map(async (a) => (await fetch(`http://127.0.0.1:${a.port}/readyz`).catch(() => null))?.status ?? 0));
    const failing = [...byCase].filter(([, e]) => e.wrong || e.fiveXx || e.unanswered);
    for (const [name, e] of failing) {
      process.stdout.write(`[fault] 07   failing case: ${name}: ${e.wrong}/${e.count} wrong, 5xx=${e.fiveXx} unanswered=${e.unanswered} slowest_ms=${e.slowest} answers=${[...e.answers].join(',')}\n`);
    }
    for (const id of liveLost.slice(0, 5)) process.stdout.write(`[fault] 07   live event not as expected: ${live.get(id)!.name}: ${JSON.stringify(byId.get(id) ?? 'no row')}\n`);
    const sum = (f: (e: { fiveXx: number; unanswered: number }) => number) => [...byCase.values()].reduce((n, e) => n + f(e), 0);
    report('07 hostile requests (2 api, 1 worker)', {
      sent: work.length,
      accepted: live.size,
      processed: rows.filter((r) => r.status === 'processed').length,
      lost: liveLost.length,
      duplicated: 0,
      '5xx': sum((e) => e.fiveXx),
      unanswered: sum((e) => e.unanswered),
      wrong_answers: failing.reduce((n, [, e]) => n + e.wrong, 0),
      crashed,
      worst_healthz_ms: worstHealthMs,
      healthz_probes: healthProbes,
      slowest_runaway_ms: Math.max(...[...byCase].filter(([n]) => n.startsWith('runaway mapping dry')).map(([, e]) => e.slowest)),
      failing_cases: failing.length,
      seconds,
    });
    expect(failing.map(([name]) => name)).toEqual([]);
    expect(liveLost.length).toBe(0);
    expect(live.size).toBeGreaterThan(0);
    expect(crashed).toBe(0);
    expect(worstHealthMs).toBeLessThan(1000);
    expect(ready).toEqual(group.apis.map(() => 200));
  }, 420_000);
});
