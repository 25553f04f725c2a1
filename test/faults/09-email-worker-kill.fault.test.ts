import { DateTime } from 'luxon';
import { createApiKey, createVenue } from '../helpers/fixtures';
import { startProcesses, type ProcessGroup } from '../helpers/processes';
import { TestSmtpServer } from '../helpers/smtp';
import { waitFor } from '../helpers/wait-for';
import { createOwnDatabase } from '../outbound/outbound-helpers';
import { pool, report } from './fault-helpers';

const BOOKINGS = 60;

/**
 * Fault 9 (issue 14, the SMTP side of fault 6): emails are written to the outbox with their booking, so a
 * worker SIGKILLed between the commit and the send loses none. The mail server (smtp-server in this
 * process) holds every message it is given without answering, so the worker dies with sends in flight,
 * others queued in Redis and outbox rows not relayed yet; then the server answers again and a new worker
 * takes over (the dead worker's jobs after BullMQ's stalled check). Every booking's confirmation arrives,
 * each with the Message-ID its email row has; none is lost.
 */
describe('fault 9: the email worker killed between commit and send', () => {
  let db: { url: string; drop: () => Promise<void> };
  let smtp: TestSmtpServer;
  let group: ProcessGroup;
  beforeAll(async () => {
    db = await createOwnDatabase();
    smtp = await new TestSmtpServer().start();
    smtp.hang = true;
    group = await startProcesses({
      api: 1, workers: 1,
      env: { DATABASE_URL: db.url, SMTP_URL: smtp.url, EMAIL_RETRY_SCHEDULE: 'base_ms=500,factor=2,max_ms=2000,attempts=30,jitter=0.2', MAIL_FROM: 'bookings@fault.test' },
    });
  }, 120_000);
  afterAll(async () => {
    await group?.stop();
    await smtp?.stop();
    await db?.drop();
  });

  it('every confirmation committed before the kill is sent after it, once per email row, with its Message-ID', async () => {
    const admin = group.adminApp();
    const venue = await createVenue(admin);
    const key = await createApiKey(admin, venue.id, undefined, 100_000);
    const day = (i: number) => DateTime.now().setZone('Europe/London').plus({ days: 2 + (i % 20) }).toISODate()!;
    const references = new Set<string>();
    let fiveXx = 0;
    await pool(BOOKINGS, 8, async (i) => {
      const res = await fetch(`${group.nextUrl()}/api/v1/bookings`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ date: day(i), time: ['17:00', '18:00', '19:00', '20:00'][Math.floor(i / 20) % 4], party_size: 2, customer_name: `Guest ${i}`, email: `guest${i}@example.com` }),
      });
      if (res.status >= 500) fiveXx++;
      if (res.status === 201) references.add(((await res.json()) as { reference: string }).reference);
    });
    expect(references.size).toBe(BOOKINGS);

    // Sends are in flight (the server holds them): kill the worker now.
    await waitFor(async () => smtp.attempts > 0, { timeoutMs: 30_000, what: 'the worker to start sending' });
    const dbh = await group.db();
    const before = (await dbh.query("SELECT status, COUNT(*) AS n FROM emails GROUP BY status")) as { status: string; n: string }[];
    const unrelayed = Number(((await dbh.query('SELECT COUNT(*) AS n FROM outbox WHERE relayed_at IS NULL')) as { n: string }[])[0]!.n);
    await group.kill(group.workers[0]!);
    const inFlightAtKill = smtp.attempts;
    smtp.hang = false;
    await group.startWorker();

    const sent = await waitFor(async () => {
      const rows = (await dbh.query("SELECT message_id_header, to_address, status FROM emails WHERE kind = 'booking_confirmed'")) as { message_id_header: string; to_address: string; status: string }[];
      return rows.length === BOOKINGS && rows.every((r) => r.status === 'sent') ? rows : null;
    }, { timeoutMs: 150_000, intervalMs: 500, what: 'every confirmation sent' });

    const received = smtp.received.filter((m) => /is confirmed/.test(m.parsed.subject ?? ''));
    const receivedIds = new Set(received.map((m) => m.messageId));
    const lost = sent.filter((r) => !receivedIds.has(r.message_id_header)).length;
    const duplicated = received.length - receivedIds.size;
    report('09 email worker SIGKILL between commit and send (1 api, 1 worker, SMTP holding)', {
      sent: BOOKINGS, accepted: references.size, processed: receivedIds.size, lost, duplicated, '5xx': fiveXx,
      held_at_kill: inFlightAtKill, rows_at_kill: before.reduce((n, r) => n + Number(r.n), 0), unrelayed_at_kill: unrelayed,
    });
    expect(lost).toBe(0);
    expect(receivedIds.size).toBe(BOOKINGS);
    // A message the server accepted once is never accepted again as another email: one row, one Message-ID.
    for (const m of received) expect(sent.find((r) => r.message_id_header === m.messageId)?.to_address).toBe(m.to[0]);
    expect(fiveXx).toBe(0);
  }, 240_000);
});
