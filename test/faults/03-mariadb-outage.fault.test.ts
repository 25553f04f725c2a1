import { startPrivateMariaDb, type PrivateMariaDb } from '../helpers/private-mariadb';
import { startProcesses, type ProcessGroup } from '../helpers/processes';
import { missingSales, newSaleId, postSigned, report, saleBody, settle, setupPos } from './fault-helpers';

/** How long the database is down, and how long events are sent before and after. */
const OUTAGE_MS = Number(process.env.FAULT_DB_OUTAGE_MS ?? 30_000);
const BEFORE_MS = 5_000;
const AFTER_MS = 5_000;
/** Senders in parallel, each pausing between sends: a steady stream (about 80 events a second), not a flood. */
const LANES = 8;
const PACE_MS = 100;
/** Bound on the events sent, whatever the timing. */
const MAX_EVENTS = 6_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readyStatus(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return 0;
  }
}

/**
 * Fault 3 (issue 18): a private mariadbd (own datadir and port; the shared MariaDB is never touched) is
 * SIGKILLed mid-stream and started again on the same datadir after OUTAGE_MS. Two API and two worker
 * processes run against it and the shared Redis (the run's prefix). Signed POS events are sent before, during
 * and after: `/readyz` answers 503 while the database is down; every event answered 200 is processed exactly
 * once after it returns (an outage spends no attempt, so none ends failed or missing).
 */
describe('fault 3: MariaDB stopped for 30 s mid-stream', () => {
  let mariadb: PrivateMariaDb;
  let group: ProcessGroup;
  beforeAll(async () => {
    mariadb = await startPrivateMariaDb();
    group = await startProcesses({ api: 2, workers: 2, env: { DATABASE_URL: mariadb.url } });
  }, 180_000);
  afterAll(async () => {
    await group?.stop();
    await mariadb?.destroy();
  });

  it('/readyz 503 while down; every acknowledged event processed exactly once after it returns', async () => {
    const { partner } = await setupPos(group);
    const accepted = new Map<string, string>();
    const statuses = new Map<number, number>();
    const acceptedDuring = { before: 0, during: 0, after: 0 };
    let phase: keyof typeof acceptedDuring = 'before';
    let sent = 0;
    let stopSending = false;

    const lanes = Array.from({ length: LANES }, async () => {
      while (!stopSending && sent < MAX_EVENTS) {
        sent++;
        const at = phase;
        const saleId = newSaleId();
        const res = await postSigned(group.nextUrl(), partner, saleBody(saleId));
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200) {
          accepted.set(res.body.event_id as string, saleId);
          acceptedDuring[at]++;
        }
        await sleep(PACE_MS);
      }
    });

    // The outage, on a timeline; /readyz of every API process is read throughout it.
    await sleep(BEFORE_MS);
    await mariadb.stop();
    phase = 'during';
    const downAt = Date.now();
    const readyWhileDown = new Map<number, number>();
    while (Date.now() - downAt < OUTAGE_MS) {
      for (const a of group.apis) {
        const s = await readyStatus(a.port);
        readyWhileDown.set(s, (readyWhileDown.get(s) ?? 0) + 1);
      }
      await sleep(1000);
    }
    await mariadb.start();
    phase = 'after';
    await sleep(AFTER_MS);
    stopSending = true;
    await Promise.all(lanes);
    const readyAfter = await Promise.all(group.apis.map((a) => readyStatus(a.port)));

    const db = await group.db();
    const result = await settle(db, partner.name, accepted, 240_000);
    const lost = result.lost + (await missingSales(db, partner.name, [...new Set(accepted.values())]));
    const fiveXx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    report(`03 MariaDB SIGKILLed for ${OUTAGE_MS / 1000} s mid-stream, restarted on its datadir (2 api, 2 workers)`, {
      sent,
      accepted: accepted.size,
      processed: result.processed,
      lost,
      duplicated: result.duplicated,
      '5xx': fiveXx,
      '503_unavailable': statuses.get(503) ?? 0,
      network_errors: statuses.get(0) ?? 0,
      accepted_before: acceptedDuring.before,
      accepted_during: acceptedDuring.during,
      accepted_after: acceptedDuring.after,
      failed: result.failed.length,
      readyz_503_while_down: readyWhileDown.get(503) ?? 0,
      readyz_other_while_down: [...readyWhileDown].filter(([s]) => s !== 503).reduce((n, [, c]) => n + c, 0),
    });
    for (const a of [...group.apis, ...group.workers]) expect(a.child.exitCode ?? a.child.signalCode).toBeNull();
    expect([...readyWhileDown.keys()]).toEqual([503]);
    expect(readyAfter).toEqual(group.apis.map(() => 200));
    expect(acceptedDuring.before).toBeGreaterThan(0);
    expect(acceptedDuring.after).toBeGreaterThan(0);
    expect(result.failed).toEqual([]);
    expect(lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.processed).toBe(accepted.size);
    // Nothing but 200 or 503 unavailable while the database was away (a 500 would be a bug).
    expect([...statuses.keys()].filter((s) => s !== 200 && s !== 503)).toEqual([]);
  }, 420_000);
});
