import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';
import { pendingWithoutRows } from './event-log';
import { INBOUND_EVENT_STATUSES, type InboundEventStatus, type PartnerStats } from './event-statuses';
import { countByPartnerAndStatus } from './inbound-event-store';

/**
 * The partners list's figures (CONTRACT §13): per partner, the events received in a window (by default the
 * last 24 h) and how many of them are queued, processing, processed, ignored, failed now. One grouped count
 * over ix_inbound_partner_time (a range per partner), plus the jobs still waiting in the queue without a row
 * (they count as received and queued, as the event log shows them).
 */

export type { PartnerStats };

export const STATS_WINDOW_MS = 24 * 60 * 60_000;

export async function partnerStats(em: EntityManager, queue: Queue, since: Date, until: Date): Promise<PartnerStats[]> {
  const partners = ((await em.query('SELECT name FROM partners ORDER BY name')) as { name: string }[]).map((p) => p.name);
  if (!partners.length) return [];
  const stats = new Map<string, PartnerStats>(
    partners.map((partner) => [partner, { partner, received: 0, ...zeroCounts() }]),
  );
  const rows = await countByPartnerAndStatus(em, partners, since, until);
  for (const row of rows) {
    const s = stats.get(row.partner);
    if (!s || !INBOUND_EVENT_STATUSES.includes(row.status)) continue;
    s[row.status] += Number(row.n);
    s.received += Number(row.n);
  }
  for (const job of await pendingWithoutRows(em, queue, null, { since, until })) {
    const s = stats.get(job.partner);
    if (!s) continue;
    s.queued += 1;
    s.received += 1;
  }
  return [...stats.values()];
}

const zeroCounts = () => Object.fromEntries(INBOUND_EVENT_STATUSES.map((status) => [status, 0])) as Record<InboundEventStatus, number>;
