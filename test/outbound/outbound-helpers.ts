import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mysql from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { createDataSource, ensureDatabase, parseDatabaseUrl } from '../../src/platform/db/data-source';
import { writeOutbox, type WebhookEvent } from '../../src/modules/outbox/outbox';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Every app composed in ROLE=all runs an outbox relay, and all test files share the run's database, so
 * another file's relay could claim this file's outbox rows into its own Redis prefix. The outbound tests
 * therefore get a database of their own (migrated like the run's) and pass it as DATABASE_URL.
 */
export async function createOwnDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('Run tests through jest (global setup sets TEST_DATABASE_URL)');
  const u = new URL(base);
  u.pathname = `${u.pathname}_ob${randomBytes(3).toString('hex')}`;
  const url = u.toString();
  await ensureDatabase(url);
  const ds = await createDataSource(url, { poolSize: 1 }).initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  return {
    url,
    async drop() {
      const p = parseDatabaseUrl(url);
      const conn = await mysql.createConnection({ host: p.host, port: p.port, user: p.username, password: p.password });
      await conn.query(`DROP DATABASE IF EXISTS \`${p.database}\``);
      await conn.end();
    },
  };
}

/**
 * The set-up most outbound tests share: a database of their own (see above), an app on it and one receiver,
 * started before the file's tests and stopped after them. Read `t` and `r` inside the tests.
 */
export function outboundSuite(env: Record<string, string> = {}): { readonly t: TestApp; readonly r: Receiver } {
  let db: { url: string; drop: () => Promise<void> } | undefined;
  let t: TestApp | undefined;
  let r: Receiver | undefined;
  beforeAll(async () => {
    db = await createOwnDatabase();
    t = await startTestApp({ DATABASE_URL: db.url, ...env });
    r = await startReceiver();
  });
  afterAll(async () => {
    await t?.stop();
    await r?.close();
    await db?.drop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('outboundSuite: read t and r inside a test, after beforeAll');
    return value;
  };
  return { get t() { return started(t); }, get r() { return started(r); } };
}

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The raw body as it arrived (what the signatures cover). */
  body: string;
  at: number;
}

export type Responder = (req: Received, n: number) => { status: number; body?: string };

/** A real HTTP endpoint on 127.0.0.1 that records every request; `respond` decides each answer. */
export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  respond: Responder;
  close(): Promise<void>;
}

export async function startReceiver(respond: Responder = () => ({ status: 200, body: 'ok' }), port = 0): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    port: 0,
    requests: [],
    respond,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      receiver.requests.push(received);
      const answer = receiver.respond(received, receiver.requests.length);
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hooks`;
  return receiver;
}

/** A port nothing listens on (bound, then released): connections to it are refused. */
export async function freePort(): Promise<number> {
  const r = await startReceiver();
  await r.close();
  return r.port;
}

/** What the booking API does in its transaction: the change and its outbox row commit together. */
export async function writeEvent(
  ds: DataSource,
  venueId: string,
  event: WebhookEvent = 'booking.created',
  data: Record<string, unknown> = {},
  version = 1,
): Promise<string> {
  const resourceId = `bk_${randomBytes(6).toString('hex')}`;
  return ds.transaction((em) =>
    writeOutbox(em, {
      venueId,
      event,
      resourceId,
      resourceVersion: version,
      data: { id: resourceId, status: 'confirmed', party_size: 2, notes: 'window seat, café ☕', ...data, version },
    }),
  );
}

export function bearer(key: string): Record<string, string> {
  return { Authorization: `Bearer ${key}` };
}

export async function registerWebhook(
  t: TestApp,
  key: string,
  url: string,
  events: string[] = ['*'],
): Promise<{ id: string; secret: string }> {
  const res = await t.http.post('/api/v1/webhooks').set(bearer(key)).send({ url, events });
  if (res.status !== 201) throw new Error(`webhook create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, secret: res.body.secret };
}

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  message_id: string;
  status: string;
  attempts: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
}

export async function deliveriesOf(ds: DataSource, messageId: string): Promise<DeliveryRow[]> {
  return (await ds.query('SELECT * FROM webhook_deliveries WHERE message_id = ? ORDER BY id', [messageId])) as DeliveryRow[];
}

/** The delivery of one message to one webhook (a venue may have several webhooks). */
export async function deliveryOf(ds: DataSource, messageId: string, webhookId: string): Promise<DeliveryRow | undefined> {
  return (await deliveriesOf(ds, messageId)).find((d) => d.webhook_id === webhookId);
}
