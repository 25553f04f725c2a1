// `npx tsx scripts/screenshots.ts [page…]`: the venue app's pages at 1024×768 and 390×844 with the demo's
// day of data, as PNGs in $TMPDIR/tablesync-screenshots/ (to look at before a change lands). It runs the
// real app on a throwaway database and Redis prefix (dropped afterwards), on a free loopback port, and
// drives Debian's Chromium as the browser tests do. Console errors are printed.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import supertest from 'supertest';
import { compose } from '../src/composition-root';
import { loadConfig } from '../src/platform/config';
import { createBenchEnv } from '../bench/bench-env';
import { DEMO_PASSWORD, seedDemo, waitForEvents } from './demo-data';
import { ensureWebBuild } from './web-build';

const OUT = join(tmpdir(), 'tablesync-screenshots');
const SIZES = { tablet: { width: 1024, height: 768 }, phone: { width: 390, height: 844 } };

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  ensureWebBuild();
  const env = await createBenchEnv('shots');
  const adminToken = env.env.ADMIN_TOKEN!;
  const config = loadConfig({
    ...env.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PASSWORD_HASH_MEMORY_KIB: '256', PASSWORD_HASH_ITERATIONS: '1',
  });
  const app = await compose(config);
  const http = supertest(app.app!);
  const listening = createServer(app.app!);
  await new Promise<void>((r) => listening.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const demo = await seedDemo(app, http, adminToken);
    await waitForEvents(http, adminToken, demo.eventIds);
    // A webhook with a delivery or two, for the settings page.
    await http.post('/api/v1/webhooks').set({ Authorization: `Bearer ${demo.apiKey}` }).send({ url: 'http://127.0.0.1:9/hooks', events: ['booking.created', 'sale.recorded'] });
    mkdirSync(OUT, { recursive: true });
    const byStatus: Record<string, number> = {};
    for (const b of demo.bookings) byStatus[b.status] = (byStatus[b.status] ?? 0) + 1;
    console.log(`venue ${demo.venue.timezone} ${demo.venue.currency}; ${demo.bookings.length} bookings ${JSON.stringify(byStatus)}; ${demo.open.length} open checks`);
    for (const b of demo.bookings) console.log(`  ${b.start.toFormat('HH:mm')}-${b.end.toFormat('HH:mm')} t${b.table} ${b.status}`);

    const pages: [string, string, (p: Page) => Promise<void>][] = [
      ['diary', '/app/diary', async (p) => { await p.locator('.grid, .diary-list').first().waitFor(); }],
      ['diary-drawer', '/app/diary', async (p) => {
        await p.locator('[data-booking]').first().waitFor();
        const spent = p.locator('[data-booking]:has(.spend)').first();
        await ((await spent.count()) ? spent : p.locator('[data-booking]').first()).click();
        await p.getByRole('dialog').locator('.sale-card, .muted').first().waitFor();
      }],
      ['diary-match', '/app/diary', async (p) => {
        await p.getByRole('button', { name: /^Match the/ }).first().click();
        await p.getByRole('dialog').getByText(/Likely bookings/).waitFor();
        await p.waitForTimeout(400);
      }],
      ['bookings', '/app/bookings', async (p) => { await p.locator('.booking-table, .empty').first().waitFor(); }],
      ['customers', '/app/customers', async (p) => { await p.locator('.rows, .empty').first().waitFor(); }],
      ['customer', '/app/customers', async (p) => {
        await p.locator('.rows a').first().click();
        await p.locator('.profile').waitFor();
      }],
      ['analytics', '/app/analytics', async (p) => { await p.locator('.analytics-table, .notice').first().waitFor(); await p.waitForTimeout(300); }],
      ['settings-webhooks', '/app/settings/webhooks', async (p) => { await p.locator('.settings-section').waitFor(); }],
      ['settings-venue', '/app/settings/venue', async (p) => { await p.locator('.settings-section').waitFor(); }],
    ];
    for (const [size, viewport] of Object.entries(SIZES)) {
      const context = await browser.newContext({ baseURL: base, viewport });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('console', (m) => { if (m.type() === 'error') console.log(`  console error (${size}): ${m.text()}`); });
      page.on('pageerror', (e) => console.log(`  page error (${size}): ${e.message}`));
      if (process.env.SHOTS_PREVIEW === '1') await previewMissingRoutes(page);
      await page.goto('/app');
      await page.getByLabel('Email').fill(demo.people.find((x) => x.role === (process.env.SHOTS_ROLE ?? 'manager'))!.email);
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      for (const [name, path, ready] of pages) {
        if (only.length && !only.includes(name)) continue;
        await page.goto(path);
        try {
          await ready(page);
        } catch (err) {
          console.log(`  ${name} (${size}) not ready: ${(err as Error).message.split('\n')[0]}`);
        }
        const file = join(OUT, `${name}-${size}.png`);
        await page.screenshot({ path: file, fullPage: process.env.SHOTS_FULL === '1' });
        console.log(file);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    listening.closeAllConnections();
    await new Promise<void>((r) => listening.close(() => r()));
    await app.stop();
    await env.cleanup();
  }
  process.exit(0);
}

/** Contract defaults of the venue settings (CONTRACT "Venue settings"). */
const SETTINGS_DEFAULTS = {
  public_booking: true, allowed_origins: [], booking_window_days: 90, party_size: { min: 1, max: 12 }, max_instant_party_size: 8,
  cancellation_hours: 24, policies_text: '', theme: { accent: '#1f6feb' }, request_hold_hours: 48, review_moderation: false,
  reply_to: null, notification_email: null, max_bookings_per_email_per_day: 3,
};

/**
 * SHOTS_PREVIEW=1: routes other branches add (analytics, venue settings) answered in the browser with
 * contract-shaped sample data, only to look at those pages before the server has them.
 */
async function previewMissingRoutes(page: Page): Promise<void> {
  await page.route('**/api/v1/openapi', async (route) => {
    const res = await route.fetch();
    const doc = await res.json();
    doc.paths['/api/v1/analytics'] ??= { get: {} };
    doc.paths['/api/v1/venue'].patch ??= {};
    await route.fulfill({ response: res, json: doc });
  });
  await page.route('**/api/v1/venue', async (route) => {
    if (route.request().method() !== 'GET') return route.fallback();
    const res = await route.fetch();
    const v = await res.json();
    await route.fulfill({ response: res, json: { settings: SETTINGS_DEFAULTS, ...v } });
  });
  await page.route('**/api/v1/analytics?*', async (route) => {
    const u = new URL(route.request().url());
    const from = u.searchParams.get('from')!;
    const to = u.searchParams.get('to')!;
    const group = u.searchParams.get('group_by') ?? 'day';
    const keys: (string | number)[] = [];
    if (group === 'weekday') keys.push(1, 2, 3, 4, 5, 6, 7);
    else if (group === 'service') keys.push('svc_lunch', 'svc_dinner');
    else for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) keys.push(d.toISOString().slice(0, 10));
    let i = 0;
    const fig = () => {
      i++;
      const covers = 60 + ((i * 37) % 50);
      const bookings = Math.round(covers / 2.8);
      const revenue = covers * (4200 + ((i * 53) % 900));
      const matched = Math.round(revenue * 0.92);
      const no_shows = i % 4;
      const completed = bookings - no_shows - 1;
      return { bookings, covers, completed, cancelled: 1, no_shows, no_show_rate: no_shows / (completed + no_shows), revenue, matched_revenue: matched,
        unmatched_revenue: revenue - matched, match_rate: 0.9, spend_per_cover: Math.round(matched / covers), average_party_size: covers / bookings };
    };
    const series = keys.map((key) => ({ key, ...fig() }));
    const sum = (k: string) => series.reduce((n, s) => n + (s as any)[k], 0);
    const totals = { ...fig(), bookings: sum('bookings'), covers: sum('covers'), revenue: sum('revenue'), matched_revenue: sum('matched_revenue'), unmatched_revenue: sum('unmatched_revenue') };
    await route.fulfill({ json: { from, to, currency: 'USD', totals, series } });
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
