/**
 * `GET /api/v1/sales/:id/candidates` (CONTRACT §5): the bookings a sale could belong to, best first, with
 * the reasons, so a sale from a till without tables (Zettle, M+, counter service) is one click from its
 * booking. Candidates are the venue's bookings that hold a table and whose time holds the sale's time —
 * the match query's window (match-query.ts) over every table of the venue.
 *
 * Score (0–100): at the sale's table 40, seated 30 (the seated booking at that time comes first),
 * the sale's time within the sitting 20 (within the grace before the start or after the end 10), covers
 * equal to the party size 10. Ties: the nearest start, then the id.
 */
import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { Booking, VenueTable } from '../../platform/db/entities';
import { instantToLocal, presentBookings } from '../diary';
import { getSale } from './list-sales';
import { holdingBookingsAtSql } from './match-query';

export interface SaleCandidate {
  booking: Record<string, unknown>;
  score: number;
  reasons: string[];
}

const same = (a: string | null, b: string | null): boolean => a !== null && b !== null && a.trim().toLowerCase() === b.trim().toLowerCase();

/** The sale's candidates, or null when the venue has no such sale. */
export async function saleCandidates(em: EntityManager, venue: { id: string; timezone: string }, saleRowId: string): Promise<SaleCandidate[] | null> {
  const found = await getSale(em, venue.id, saleRowId);
  if (!found) return null;
  const { sale } = found;
  const t = sale.matchAt.getTime();
  const window = holdingBookingsAtSql('b', sale.matchAt);
  const rows = (await em.query(`SELECT b.id FROM bookings b WHERE b.venue_id = ? AND ${window.sql}`, [venue.id, ...window.params])) as { id: string }[];
  const bookings = rows.length ? await em.find(Booking, { where: { id: In(rows.map((r) => r.id)) } }) : [];
  const tableIds = [...new Set(bookings.flatMap((b) => (b.tableId ? [b.tableId] : [])))];
  const tables = new Map(
    (tableIds.length ? await em.find(VenueTable, { where: { id: In(tableIds) } }) : []).map((table) => [table.id, table.number]),
  );
  const saleTable = sale.venueTableNumber ?? sale.tableNumber;
  const local = (d: Date): string => instantToLocal(d, venue.timezone).time;

  const scored = bookings.map((b) => {
    let score = 0;
    const reasons: string[] = [];
    const table = b.tableId ? (tables.get(b.tableId) ?? null) : null;
    if (same(table, saleTable)) {
      score += 40;
      reasons.push(`at table ${table}, as the sale`);
    } else if (saleTable !== null) {
      reasons.push(table ? `at table ${table}, not the sale's table ${saleTable}` : `no table, the sale's is ${saleTable}`);
    }
    if (b.status === 'seated') {
      score += 30;
      reasons.push('seated');
    } else {
      reasons.push(b.status);
    }
    if (b.startAt.getTime() <= t && t <= b.endAt.getTime()) {
      score += 20;
      reasons.push(`the sale's time ${local(sale.matchAt)} is within the booking (${local(b.startAt)}–${local(b.endAt)})`);
    } else {
      score += 10;
      const when = t < b.startAt.getTime() ? 'within 30 min before its start' : 'within 2 h after its end';
      reasons.push(`the sale's time ${local(sale.matchAt)} is ${when} (${local(b.startAt)}–${local(b.endAt)})`);
    }
    if (sale.covers !== null && sale.covers === b.partySize) {
      score += 10;
      reasons.push(`${b.partySize} covers, as the sale`);
    } else if (sale.covers !== null) {
      reasons.push(`party of ${b.partySize}, the sale has ${sale.covers} covers`);
    }
    return { b, score, reasons };
  });
  scored.sort(
    (x, y) => y.score - x.score || Math.abs(x.b.startAt.getTime() - t) - Math.abs(y.b.startAt.getTime() - t) || x.b.id.localeCompare(y.b.id),
  );
  const views = await presentBookings(em, scored.map((s) => s.b));
  return scored.map((s, i) => ({ booking: views[i]!, score: s.score, reasons: s.reasons }));
}
