// Booking platforms' reservations processed per second end to end (signed SevenRooms webhook queued →
// mapped → guest upserted → placed on a table under the diary locks → booking written with its outbox row),
// beside the POS pipeline (bench/pipeline.ts: sales per second end to end) measured in the same run, in
// alternating rounds whose medians are compared. Aim: reservations ≥ 0.7× the POS pipeline.
//
// Each reservation is new (its own reservation id and guest email, so a customer is created too), for a
// venue of 40 tables, spread over 60 days (fresh ones each round) and the evening's times, so that the diary
// locks (one row per venue and day) let bookings of different days proceed side by side, as a real venue's
// stream would; a few end up without a table (needs_table), most get one.
// Beside the rates: the CPU milliseconds per event (reservation | sale) of this process and of the database server
// in each round's timed window (node_cpu_ms, db_cpu_ms), which a loaded machine moves far less than the rates.
// Env: BENCH_RESERVATIONS_EVENTS (per round, default 3000), BENCH_RESERVATIONS_ROUNDS (default 3), BENCH_LOG_LEVEL
// (the worker's log level, e.g. warn to see a batch falling back to one by one).
import { createHmac } from 'node:crypto';
import supertest from 'supertest';
import type { Composed } from '../src/composition-root';
import { cpuNow, cpuPerEvent, createBenchEnv, median, type BenchEnv, type BenchResult } from './bench-env';
import { seedBenchPartner, startBenchApp } from './bench-app';
import { realRound as posRound } from './pipeline';

const EVENTS = Number(process.env.BENCH_RESERVATIONS_EVENTS ?? 3000);
const ROUNDS = Number(process.env.BENCH_RESERVATIONS_ROUNDS ?? 3);
const WARMUP = 300;
const PARTNER = 'bench-sevenrooms';
const SECRET = 'bench-sevenrooms-secret-0123456789';
const VENUE_REF = 'bench-sevenrooms-venue';

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('reservations bench timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const FLAT = process.env.BENCH_RESERVATIONS_FLAT === '1';

/** 60 days per round (rounds number their reservations from round × 1,000,000), so each round books fresh days as the first did. */
function dayOf(n: number): string {
  const index = (n % 1_000_000) % 60 + Math.floor(n / 1_000_000) * 60;
  return new Date(Date.UTC(2027, 0, 1) + index * 86_400_000).toISOString().slice(0, 10);
}

/** A SevenRooms reservation webhook body for reservation number n (BENCH_RESERVATIONS_FLAT=1: generic-reservations' flat body). */
export function reservationPayload(n: number): string {
  const day = dayOf(n);
  if (FLAT) {
    const minutes = 17 * 60 + (Math.floor(n / 60) % 16) * 15;
    const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    return JSON.stringify({
      restaurant_id: VENUE_REF, id: `R-${n}`, status: 'booked', date: day, time, covers: 2 + (n % 5), duration_minutes: 90,
      updated_at: '2026-12-01T10:00:00Z', table: String((n % 40) + 1), guest_name: `Guest Number ${n}`, guest_email: `guest.${n}@example.com`, notes: 'Bench',
    });
  }
  const minutes = 17 * 60 + (Math.floor(n / 60) % 16) * 15;
  const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return JSON.stringify({
    entity_type: 'reservation',
    event_type: 'created',
    entity: {
      id: `R-${n}`, venue_id: VENUE_REF, status: 'BOOKED', real_datetime_of_slot: `${day} ${time}:00`, date: day,
      max_guests: 2 + (n % 5), duration: 90, updated: '2026-12-01T10:00:00.000000', table_numbers: [String((n % 40) + 1)],
      first_name: 'Guest', last_name: `Number ${n}`, email: `guest.${n}@example.com`, phone_number: null,
      notes: 'Bench', client_requests: null,
    },
  });
}

/** The venue, the partner from the sevenrooms template (known secret) and its location link. */
async function seedReservations(api: Composed): Promise<void> {
  const http = supertest(api.app!);
  const auth = { Authorization: `Bearer ${api.deps.config.adminToken}` };
  const venue = await http.post('/admin/v1/venues').set(auth).send({
    name: 'Bench Reservations', slug: `bench-res-${Date.now().toString(36)}`, timezone: 'Europe/London', currency: 'GBP', country: 'GB',
    areas: [{ name: 'Main', tables: Array.from({ length: 40 }, (_, i) => ({ number: i + 1, min_covers: 1, max_covers: 2 + (i % 4) * 2 })) }],
    services: [{ name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '17:00', end: '23:30', slot_interval_minutes: 15, duration_minutes: 90 }],
  });
  if (venue.status !== 201) throw new Error(`venue: ${venue.status} ${JSON.stringify(venue.body)}`);
  const partner = await http.post('/admin/v1/partners').set(auth).send({ name: PARTNER, template: FLAT ? 'generic-reservations' : 'sevenrooms', signature: { secret: SECRET } });
  if (partner.status !== 201) throw new Error(`partner: ${partner.status} ${JSON.stringify(partner.body)}`);
  const loc = await http.put(`/admin/v1/partners/${PARTNER}/locations/${VENUE_REF}`).set(auth).send({ venue_id: venue.body.id, enabled: true });
  if (loc.status >= 300) throw new Error(`location: ${loc.status} ${JSON.stringify(loc.body)}`);
}

/** `total` signed reservation webhooks queued through the API role, then a worker role started to drain them. */
async function reservationRound(env: BenchEnv, api: Composed, concurrency: number, offset: number, total: number): Promise<{ perSecond: number; outcomes: Record<string, number>; cpu: ReturnType<typeof cpuPerEvent> }> {
  const http = supertest(api.app!);
  for (let i = 0; i < total; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, total - i) }, (_, k) => {
      const body = reservationPayload(offset + i + k);
      return http.post(`/partners/${PARTNER}/events/reservation`).set('content-type', 'application/json')
        .set('x-signature', createHmac('sha256', SECRET).update(body).digest('hex')).send(body).expect(200);
    }));
  }
  const worker = await startBenchApp(env, 'worker', { WORKER_CONCURRENCY: String(concurrency), ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}) });
  const counts = async () => (await worker.deps.metrics.inboundEvents.get()).values;
  const finished = async (): Promise<number> => (await counts()).reduce((sum, v) => sum + v.value, 0);
  try {
    await waitUntil(async () => (await finished()) >= WARMUP, 300_000);
    const from = await finished();
    const started = performance.now();
    const cpu = cpuNow();
    await waitUntil(async () => (await finished()) >= total, 300_000);
    const perSecond = (total - from) / ((performance.now() - started) / 1000);
    const cpuPer = cpuPerEvent(cpu, cpuNow(), total - from);
    const outcomes: Record<string, number> = {};
    for (const v of await counts()) outcomes[String(v.labels.outcome)] = (outcomes[String(v.labels.outcome)] ?? 0) + v.value;
    return { perSecond, outcomes, cpu: cpuPer };
  } finally {
    await worker.stop();
  }
}

export async function run(): Promise<BenchResult> {
  const env = await createBenchEnv('reservations');
  const api = await startBenchApp(env, 'api');
  try {
    await seedBenchPartner(api);
    await seedReservations(api);
    const concurrency = api.deps.config.workerConcurrency;
    const reals: number[] = [];
    const refs: number[] = [];
    const outcomes: Record<string, number> = {};
    const cpus: { res: ReturnType<typeof cpuPerEvent>; pos: ReturnType<typeof cpuPerEvent> }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const r = await reservationRound(env, api, concurrency, round * 1_000_000, WARMUP + EVENTS);
      reals.push(r.perSecond);
      for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
      const pos = await posRound(env, api, concurrency, round * 1_000_000, WARMUP + EVENTS);
      refs.push(pos.perSecond);
      cpus.push({ res: r.cpu, pos: pos.cpu });
    }
    const rows = (await api.deps.dataSource.query(
      'SELECT COUNT(*) AS n, SUM(needs_table) AS needs_table FROM bookings WHERE external_partner = ?', [PARTNER],
    )) as { n: number; needs_table: number }[];
    const real = median(reals);
    const reference = median(refs);
    return {
      name: 'reservations', unit: 'reservations/s (reference: POS sales/s)', real, reference, ratio: real / reference, aim: '>= 0.7',
      extra: {
        events: EVENTS, warmup: WARMUP, rounds: ROUNDS, worker_concurrency: concurrency,
        bookings: Number(rows[0]!.n), needs_table: Number(rows[0]!.needs_table), outcomes: JSON.stringify(outcomes),
        real_rounds: reals.map(Math.round).join('/'), pos_rounds: refs.map(Math.round).join('/'),
        // CPU ms per event in each round's timed window: this process (worker role, mapping threads) and the database server.
        node_cpu_ms: cpus.map((c) => `${c.res.node_ms.toFixed(2)}|${c.pos.node_ms.toFixed(2)}`).join('/'),
        db_cpu_ms: cpus.map((c) => `${c.res.db_ms?.toFixed(2) ?? '?'}|${c.pos.db_ms?.toFixed(2) ?? '?'}`).join('/'),
      },
    };
  } finally {
    await api.stop();
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { console.log(r); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}
