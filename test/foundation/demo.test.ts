import { spawn } from 'node:child_process';
import { request } from 'node:http';
import path from 'node:path';
import { createOwnDatabase, freePort } from '../outbound/outbound-helpers';
import { testEnv } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

const ROOT = path.join(__dirname, '..', '..');

/**
 * `npm run demo` (issue 13) as a newcomer runs it, on a port where nothing listens yet: it seeds a venue with
 * people (printing the sign-in), a day of bookings across areas and a POS partner, serves the app, and keeps
 * sending signed POS sales (here for DEMO_LIVE_SECONDS = 8) that reach the diary's stream live.
 */
describe('npm run demo', () => {
  let db: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    db = await createOwnDatabase();
  });
  afterAll(() => db.drop());

  it('seeds a venue, prints the sign-in, serves the app and sends POS sales that a signed-in diary receives live', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = testEnv({ DATABASE_URL: db.url, PORT: String(port), PUBLIC_URL: base, DEMO_LIVE_SECONDS: '8', LOG_LEVEL: 'warn' });
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let stream: { close(): void } | null = null;
    try {
      await waitFor(async () => out.includes('Sending signed POS sales'), { what: `the demo's sign-in block (output so far: ${out.slice(-400)})`, timeoutMs: 120_000, intervalMs: 200 });
      const manager = /manager\s+(\S+@\S+)/.exec(out)?.[1];
      const password = /password\s+(\S+)/.exec(out)?.[1];
      const today = /sales\?date=(\d{4}-\d{2}-\d{2})/.exec(out)?.[1];
      expect({ manager: !!manager, password: !!password, today: !!today }).toEqual({ manager: true, password: true, today: true });
      expect(out).toContain(`${base}/app/diary`);

      const signIn = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: manager, password }) });
      expect(signIn.status).toBe(200);
      const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

      // The stream first, so the sales sent from now on are seen arriving.
      const events: string[] = [];
      stream = await new Promise<{ close(): void }>((resolve, reject) => {
        const req = request(`${base}/api/v1/stream`, { headers: { Accept: 'text/event-stream', Cookie: cookie } }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            for (const m of chunk.matchAll(/^event: (\S+)$/gm)) events.push(m[1]!);
          });
          resolve({ close: () => req.destroy() });
        });
        req.on('error', reject);
        req.end();
      });

      // A realistic day: bookings on tables of several areas, sales already matched to some of them.
      const venue = (await (await fetch(`${base}/api/v1/venue`, { headers: { Cookie: cookie } })).json()) as { areas: { id: string; tables: { id: string }[] }[] };
      expect(venue.areas.length).toBeGreaterThanOrEqual(3);
      const areaOf = new Map(venue.areas.flatMap((a) => a.tables.map((t) => [t.id, a.id] as const)));
      const bookings = (await (await fetch(`${base}/api/v1/bookings?date=${today}&limit=200`, { headers: { Cookie: cookie } })).json()) as { data: { table: { id: string } | null }[] };
      expect(bookings.data.length).toBeGreaterThan(10);
      expect(new Set(bookings.data.map((b) => areaOf.get(b.table?.id ?? '')).filter(Boolean)).size).toBeGreaterThanOrEqual(2);
      const sales = (await (await fetch(`${base}/api/v1/sales?date=${today}&limit=200`, { headers: { Cookie: cookie } })).json()) as { data: { booking_id: string | null }[] };
      expect(sales.data.some((s) => s.booking_id !== null)).toBe(true);

      // Spend lands live: the demo's next signed POS sale reaches the diary's stream.
      await waitFor(async () => events.includes('sale.recorded'), { what: 'a live sale.recorded on the stream', timeoutMs: 20_000, intervalMs: 100 });
      await waitFor(async () => out.includes('Done sending.'), { what: 'the end of the live minute', timeoutMs: 30_000, intervalMs: 200 });
      expect(out).toContain('keeps running');
      expect((await fetch(`${base}/app/diary`)).status).toBe(200);
    } finally {
      stream?.close();
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 240_000);
});
