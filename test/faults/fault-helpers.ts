import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { getAdapter } from '../../adapters';
import { signFor } from '../helpers/sign';
import { createVenue } from '../helpers/fixtures';
import { createTestPartner, linkLocation, putMapping, SALE_MAPPING, saleEvent, type TestPartner } from '../helpers/partner';
import type { ProcessGroup } from '../helpers/processes';
import { uniq } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

/**
 * Shared by the fault suite (issue 18). Layout: one file per fault, `NN-name.fault.test.ts`, each printing one
 * `[fault]` line of figures through `report`. Still to come: the SMTP half of 06 (needs emails) and the
 * widget half of 05 (needs the widget).
 */

export interface Figures {
  sent: number;
  accepted: number;
  processed: number;
  lost: number;
  duplicated: number;
  '5xx': number;
  [extra: string]: number;
}

/** One line per test, straight to stdout (jest's console would add a stack trace). */
export function report(name: string, figures: Figures): void {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${v}`);
  process.stdout.write(`[fault] ${name}: ${parts.join(' ')}\n`);
}

export interface PosSetup {
  partner: TestPartner;
  venueId: string;
}

/** A venue, a partner (hmac-sha256-hex) with the flat sale mapping, and location loc-1 linked. */
export async function setupPos(group: ProcessGroup, opts: { conflict?: 'reject' | 'queue'; ack?: 'queued' | 'processed' } = {}): Promise<PosSetup> {
  const admin = group.adminApp();
  const venueId = (await createVenue(admin)).id;
  const partner = await createTestPartner(admin, opts);
  await putMapping(admin, partner.name, 'sale.updated', SALE_MAPPING);
  await linkLocation(admin, partner.name, 'loc-1', venueId);
  return { partner, venueId };
}

export interface PostResult {
  status: number;
  body: any;
}

/** A signed POS event straight over HTTP (fetch), as a POS sends it; a network failure is status 0. */
export async function postSigned(baseUrl: string, partner: TestPartner, body: Record<string, unknown>, eventType = 'sale.updated'): Promise<PostResult> {
  const raw = Buffer.from(JSON.stringify(body));
  const path = `/partners/${partner.name}/events/${eventType}`;
  const headers = signFor(partner.scheme, { secret: partner.secret, rawBody: raw, url: `${baseUrl}${path}`, header: partner.header }, getAdapter(partner.adapter));
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: raw,
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: kept as text */
    }
    return { status: res.status, body: parsed };
  } catch {
    return { status: 0, body: null };
  }
}

/** Runs `count` tasks with at most `concurrency` in flight; bounded by `deadlineMs` (then stops starting new ones). */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>, deadlineMs = 240_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count && Date.now() < deadline) await task(next++);
    }),
  );
  if (next < count) throw new Error(`pool stopped at ${next}/${count}: deadline of ${deadlineMs} ms`);
}

export function saleBody(saleId: string, version = 1): Record<string, unknown> {
  return saleEvent({ id: saleId, version, total: 1000 + version, items: [{ name: 'Burger', qty: 1, unit_price: 1000 + version, total: 1000 + version }] });
}

export function newSaleId(): string {
  return `S-${randomBytes(6).toString('hex')}`;
}

/** Statuses an accepted event may end in; `processed` is the one a sale event should reach. */
const FINAL = ['processed', 'ignored', 'failed'];

/**
 * Waits (bounded) until every accepted event has a final status, then counts: processed, lost (accepted but
 * not processed: missing row, failed, or still pending at the deadline) and duplicated (a sale id with more
 * than one row, or a sale whose items were written more than once).
 */
export async function settle(
  db: DataSource,
  partner: string,
  accepted: Map<string, string>,
  timeoutMs = 180_000,
): Promise<{ processed: number; lost: number; duplicated: number; notFinal: number; failed: string[] }> {
  const ids = [...accepted.keys()];
  const statuses = async () => {
    const found = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = (await db.query(`SELECT id, status FROM inbound_events WHERE id IN (?)`, [ids.slice(i, i + 1000)])) as { id: string; status: string }[];
      for (const r of rows) found.set(r.id, r.status);
    }
    return found;
  };
  let found = new Map<string, string>();
  await waitFor(
    async () => {
      found = await statuses();
      return ids.every((id) => FINAL.includes(found.get(id) ?? ''));
    },
    { timeoutMs, intervalMs: 500, what: 'every accepted event to reach a final status' },
  ).catch(() => undefined);
  const processed = ids.filter((id) => found.get(id) === 'processed').length;
  const failed = ids.filter((id) => found.get(id) === 'failed');
  const saleIds = [...new Set(accepted.values())];
  let duplicated = 0;
  for (let i = 0; i < saleIds.length; i += 1000) {
    const rows = (await db.query(
      `SELECT s.sale_id, COUNT(DISTINCT s.id) AS n, COUNT(si.id) / COUNT(DISTINCT s.id) AS items
         FROM sales s LEFT JOIN sale_items si ON si.sale_row_id = s.id
        WHERE s.partner = ? AND s.sale_id IN (?) GROUP BY s.sale_id`,
      [partner, saleIds.slice(i, i + 1000)],
    )) as { sale_id: string; n: number; items: string }[];
    for (const r of rows) if (Number(r.n) > 1 || Number(r.items) !== 1) duplicated++;
  }
  return {
    processed,
    lost: ids.length - processed,
    duplicated,
    notFinal: ids.filter((id) => !FINAL.includes(found.get(id) ?? '')).length,
    failed,
  };
}

/** Sales of these ids that have no row at all (an accepted sale that never landed). */
export async function missingSales(db: DataSource, partner: string, saleIds: string[]): Promise<number> {
  let present = 0;
  for (let i = 0; i < saleIds.length; i += 1000) {
    const [row] = (await db.query(`SELECT COUNT(DISTINCT sale_id) AS n FROM sales WHERE partner = ? AND sale_id IN (?)`, [partner, saleIds.slice(i, i + 1000)])) as {
      n: number;
    }[];
    present += Number(row!.n);
  }
  return saleIds.length - present;
}

/** A private redis-server that keeps every acknowledged write on disk (AOF, fsync always): a restart keeps the queue. */
export function startDurableRedis(port: number, dir: string): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'],
    { stdio: 'ignore' },
  );
}

export { uniq };

/**
 * Faults 1 and 8: a burst of `count` signed sale events (one new sale each) sent round robin to the API
 * processes; when half are sent, one worker process is SIGKILLed and a new one started. Returns the figures;
 * the caller asserts.
 */
export async function burstWithWorkerKill(group: ProcessGroup, count: number, concurrency = 32): Promise<Figures & { failedIds: number }> {
  const db = await group.db();
  const { partner } = await setupPos(group);
  const started = Date.now();
  const accepted = new Map<string, string>();
  const saleIds: string[] = [];
  let fiveXx = 0;
  let killing: Promise<void> | null = null;
  await pool(count, concurrency, async (i) => {
    if (i === Math.floor(count / 2) && !killing) {
      const victim = group.workers.find((w) => w.child.exitCode === null && w.child.signalCode === null)!;
      killing = group.kill(victim).then(async () => void (await group.startWorker()));
    }
    const saleId = newSaleId();
    saleIds.push(saleId);
    // A POS retries a refused or failed send (bounded); an event counts as accepted on its 200.
    for (let attempt = 0; attempt < 5; attempt++) {
      const res = await postSigned(group.nextUrl(), partner, saleBody(saleId));
      if (res.status >= 500) fiveXx++;
      if (res.status === 200) {
        accepted.set(res.body.event_id as string, saleId);
        return;
      }
    }
  });
  await killing;
  const result = await settle(db, partner.name, accepted);
  return {
    sent: count,
    accepted: accepted.size,
    processed: result.processed,
    lost: result.lost + (await missingSales(db, partner.name, [...new Set(accepted.values())])),
    duplicated: result.duplicated,
    '5xx': fiveXx,
    failedIds: result.failed.length,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}
