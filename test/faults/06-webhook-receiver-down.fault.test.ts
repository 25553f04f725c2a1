import { DateTime } from 'luxon';
import { createApiKey } from '../helpers/fixtures';
import { startProcesses, type ProcessGroup } from '../helpers/processes';
import { waitFor } from '../helpers/wait-for';
import { createOwnDatabase, freePort, registerWebhook, startReceiver, type Received, type Receiver } from '../outbound/outbound-helpers';
import { newSaleId, pool, postSigned, report, saleBody, settle, setupPos } from './fault-helpers';

/** The burst: bookings through the booking API and sales through signed POS events, mixed. */
const BOOKINGS = 150;
const SALES = 150;
/** The receiver stays down at least this long after the burst starts (and until every message has failed once). */
const DOWN_MS = 15_000;
/**
 * Short retries for the test (the default schedule spans a day): 0.5, 1, 2, then every 3 s, 40 attempts,
 * so a delivery keeps trying through the whole window and is retried within 3 s once the receiver is up.
 */
const RETRY_SCHEDULE = 'base_ms=500,factor=2,max_ms=3000,attempts=40,jitter=0.2';

interface Message {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/**
 * Fault 6, webhook half (issue 18): a webhook receiver (node:http on 127.0.0.1) is down — nothing listens on
 * its port — for the whole window of a burst of bookings and sales through 2 API and 2 worker processes,
 * then comes up. Every event committed to the outbox is delivered at least once, and every receipt of one
 * event carries the same `id` and `X-Tablesync-Delivery` (and the same bytes): once up, the receiver
 * answers 500 to the first receipt of each event so each is received at least twice. Nothing is lost.
 * The SMTP half (emails queued while the mail server is down, sent once it is back, one Message-ID each)
 * joins this file when emails (CONTRACT §10.3) have landed.
 */
describe('fault 6: webhook receiver down for the whole window, then up', () => {
  let db: { url: string; drop: () => Promise<void> };
  let group: ProcessGroup;
  let receiver: Receiver | null = null;
  beforeAll(async () => {
    // A database of its own: a worker's outbox relay takes every venue's messages, this test's only here.
    db = await createOwnDatabase();
    group = await startProcesses({ api: 2, workers: 2, env: { DATABASE_URL: db.url, WEBHOOK_RETRY_SCHEDULE: RETRY_SCHEDULE } });
  }, 120_000);
  afterAll(async () => {
    await receiver?.close();
    await group?.stop();
    await db?.drop();
  });

  it('every outbox event delivered at least once after the outage, the same id and X-Tablesync-Delivery on every receipt, nothing lost', async () => {
    const admin = group.adminApp();
    const dbh = await group.db();
    const { partner, venueId } = await setupPos(group);
    const key = await createApiKey(admin, venueId, undefined, 100_000);
    const port = await freePort();
    await registerWebhook(admin, key, `http://127.0.0.1:${port}/hooks`, ['*']);

    const started = Date.now();
    const bookingIds = new Set<string>();
    const accepted = new Map<string, string>();
    let fiveXx = 0;
    let refused = 0;
    const day = (n: number) => DateTime.now().setZone('Europe/London').plus({ days: n }).toISODate()!;
    await pool(BOOKINGS + SALES, 16, async (i) => {
      if (i % 2 === 0 && i / 2 < BOOKINGS) {
        const n = i / 2;
        const res = await fetch(`${group.nextUrl()}/api/v1/bookings`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ date: day(1 + (n % 50)), time: ['18:00', '19:00', '20:00'][n % 3], party_size: 2, customer_name: `Guest ${n}`, email: `g${n}@example.com` }),
          signal: AbortSignal.timeout(20_000),
        }).catch(() => null);
        if (!res || res.status >= 500) fiveXx++;
        if (res?.status === 201) bookingIds.add(((await res.json()) as { id: string }).id);
        else refused++;
        return;
      }
      const saleId = newSaleId();
      const res = await postSigned(group.nextUrl(), partner, saleBody(saleId));
      if (res.status >= 500) fiveXx++;
      if (res.status === 200) accepted.set(res.body.event_id as string, saleId);
    });
    const sales = await settle(dbh, partner.name, accepted);

    // Still down: wait out the window, and until every message has a delivery that failed at least once.
    const venueMessages = async () => (await dbh.query(`SELECT message_id AS id, event FROM outbox WHERE venue_id = ?`, [venueId])) as { id: string; event: string }[];
    let whileDown = { deliveries: 0, attempted: 0, succeeded: 0 };
    await waitFor(
      async () => {
        const [row] = (await dbh.query(
          `SELECT COUNT(*) AS deliveries, SUM(d.attempts >= 1) AS attempted, SUM(d.status = 'succeeded') AS succeeded
             FROM outbox o JOIN webhook_deliveries d ON d.message_id = o.message_id WHERE o.venue_id = ?`,
          [venueId],
        )) as { deliveries: number; attempted: string | null; succeeded: string | null }[];
        whileDown = { deliveries: Number(row!.deliveries), attempted: Number(row!.attempted ?? 0), succeeded: Number(row!.succeeded ?? 0) };
        const messages = (await venueMessages()).length;
        return Date.now() - started >= DOWN_MS && messages > 0 && whileDown.deliveries === messages && whileDown.attempted === messages;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'every message to have failed a delivery while the receiver is down' },
    );
    const downSeconds = Math.round((Date.now() - started) / 1000);

    // Up: the first receipt of each message is answered 500, the next ones 200.
    const seen = new Set<string>();
    receiver = await startReceiver((req: Received) => {
      const id = (JSON.parse(req.body) as Message).id;
      if (seen.has(id)) return { status: 200 };
      seen.add(id);
      return { status: 500, body: 'not yet' };
    }, port);
    const expected = await venueMessages();
    // Delivered = received at least twice (the 500, then the 200 that succeeded).
    const receipts = () => {
      const byId = new Map<string, Received[]>();
      for (const r of receiver!.requests) {
        const id = (JSON.parse(r.body) as Message).id;
        byId.set(id, [...(byId.get(id) ?? []), r]);
      }
      return byId;
    };
    await waitFor(
      async () => {
        const byId = receipts();
        return expected.every((m) => (byId.get(m.id)?.length ?? 0) >= 2) ? true : null;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: 'every message to be received twice (a 500, then a 200)' },
    ).catch(() => undefined);
    const byId = receipts();
    const undelivered = expected.filter((m) => (byId.get(m.id)?.length ?? 0) < 2);
    // Stable ids: every receipt of a message has the same delivery header and the same bytes.
    const unstable = [...byId].filter(([id, rs]) => rs.some((r) => r.headers['x-tablesync-delivery'] !== id || r.body !== rs[0]!.body));
    const unexpected = [...byId.keys()].filter((id) => !expected.some((m) => m.id === id));
    // Every resource the burst made has its event: each booking a booking.created, each sale a sale.recorded.
    const bodies = [...byId.values()].map((rs) => JSON.parse(rs[0]!.body) as Message);
    const bookedEvents = new Set(bodies.filter((b) => b.event === 'booking.created').map((b) => b.data.id as string));
    const saleEvents = new Set(bodies.filter((b) => b.event === 'sale.recorded').map((b) => b.data.sale_id as string));
    const bookingsWithout = [...bookingIds].filter((id) => !bookedEvents.has(id));
    const salesWithout = [...new Set(accepted.values())].filter((id) => !saleEvents.has(id));
    const [succeeded] = (await dbh.query(
      `SELECT SUM(d.status = 'succeeded') AS ok, MAX(d.attempts) AS max_attempts FROM outbox o JOIN webhook_deliveries d ON d.message_id = o.message_id WHERE o.venue_id = ?`,
      [venueId],
    )) as { ok: string; max_attempts: number }[];
    report('06 webhook receiver down for the window, then up (2 api, 2 workers)', {
      sent: BOOKINGS + SALES,
      accepted: bookingIds.size + accepted.size,
      processed: sales.processed,
      lost: undelivered.length + bookingsWithout.length + salesWithout.length + sales.lost,
      duplicated: sales.duplicated,
      '5xx': fiveXx,
      bookings_refused: refused,
      messages: expected.length,
      delivered: expected.length - undelivered.length,
      unstable_ids: unstable.length,
      receipts: receiver.requests.length,
      succeeded_while_down: whileDown.succeeded,
      max_attempts: Number(succeeded!.max_attempts),
      down_seconds: downSeconds,
    });
    expect(fiveXx).toBe(0);
    expect(bookingIds.size).toBeGreaterThan(BOOKINGS / 2);
    expect(accepted.size).toBe(SALES);
    expect(sales.lost).toBe(0);
    expect(whileDown.succeeded).toBe(0);
    expect(undelivered.map((m) => `${m.event} ${m.id}`)).toEqual([]);
    expect(bookingsWithout).toEqual([]);
    expect(salesWithout).toEqual([]);
    expect(unstable.map(([id]) => id)).toEqual([]);
    expect(unexpected).toEqual([]);
    await waitFor(async () => {
      const [row] = (await dbh.query(`SELECT SUM(d.status = 'succeeded') AS ok FROM outbox o JOIN webhook_deliveries d ON d.message_id = o.message_id WHERE o.venue_id = ?`, [venueId])) as { ok: string }[];
      return Number(row!.ok) === expected.length;
    }, { timeoutMs: 30_000, what: 'every delivery recorded succeeded' });
  }, 420_000);
});
