import { readFileSync } from 'node:fs';
import path from 'node:path';
import supertest from 'supertest';
import { compose, type Composed } from '../src/composition-root';
import { loadConfig } from '../src/platform/config';
import type { BenchEnv } from './bench-env';

export const BENCH_SECRET = 'bench-partner-secret-0123456789';
export const BENCH_PARTNER = 'bench-pos';
export const BENCH_LOCATION = 'bench-location-1';

/** Composes the real app for a bench, in one role, against the bench's own database and prefix. */
export async function startBenchApp(env: BenchEnv, role: 'all' | 'api' | 'worker', extra: Record<string, string> = {}): Promise<Composed> {
  return compose(loadConfig({ ...env.env, ROLE: role, ...extra }));
}

/**
 * Through the admin API (the contract, not internals): a venue, a demo-pos style partner with a known
 * HMAC secret, its location linked, and the demo-pos sale mapping. Returns the venue id.
 */
export async function seedBenchPartner(app: Composed | { url: string; adminToken: string }, tables = 4): Promise<string> {
  // An in-process app, or (bench/scale-out.ts) an API process over HTTP.
  const http = supertest('url' in app ? app.url : app.app!);
  const auth = { Authorization: `Bearer ${'url' in app ? app.adminToken : app.deps.config.adminToken}` };
  const venue = await http.post('/admin/v1/venues').set(auth).send({
    name: 'Bench Venue', slug: `bench-${Date.now().toString(36)}`, timezone: 'Europe/London', currency: 'GBP', country: 'GB',
    areas: [{ name: 'Main', tables: Array.from({ length: tables }, (_, i) => ({ number: i + 1, min_covers: 1, max_covers: 2 + (i % 5) * 2 })) }],
    services: [{ name: 'All day', days: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '23:30', slot_interval_minutes: 15, duration_minutes: 90 }],
  });
  if (venue.status !== 201) throw new Error(`venue: ${venue.status} ${JSON.stringify(venue.body)}`);
  const partner = await http.post('/admin/v1/partners').set(auth).send({
    name: BENCH_PARTNER, adapter: 'demo-pos', signature: { scheme: 'hmac-sha256-hex', secret: BENCH_SECRET },
  });
  if (partner.status !== 201) throw new Error(`partner: ${partner.status} ${JSON.stringify(partner.body)}`);
  const loc = await http.put(`/admin/v1/partners/${BENCH_PARTNER}/locations/${BENCH_LOCATION}`).set(auth).send({ venue_id: venue.body.id, enabled: true });
  if (loc.status >= 300) throw new Error(`location: ${loc.status} ${JSON.stringify(loc.body)}`);
  const expression = readFileSync(path.join(__dirname, '..', 'mappings', 'demo-pos', 'sale.updated.jsonata'), 'utf8');
  const map = await http.put(`/admin/v1/partners/${BENCH_PARTNER}/mappings/sale.updated`).set(auth).send({ expression });
  if (map.status !== 201) throw new Error(`mapping: ${map.status} ${JSON.stringify(map.body)}`);
  return venue.body.id as string;
}

/** A demo-pos `sale.updated` payload for sale number n. */
export function salePayload(n: number): string {
  return JSON.stringify({
    event: 'sale.updated',
    location_id: BENCH_LOCATION,
    sale: {
      id: `B-${n}`, version: 1, status: 'closed', table: String((n % 4) + 1), covers: 2,
      opened_at: '2026-05-01T18:05:00.000Z', closed_at: '2026-05-01T20:10:00.000Z', currency: 'GBP',
      subtotal: 7000, tax: 1400, tip: 500, discount: 0, total: 8400,
      items: [
        { name: 'Fish and Chips', qty: 2, unit_price: 1650, total: 3300, category: 'Mains' },
        { name: 'House Red 175ml', qty: 4, unit_price: 900, total: 3600, category: 'Wine' },
      ],
      payments: [{ method: 'card', amount: 8400, tip: 500 }],
    },
  });
}
