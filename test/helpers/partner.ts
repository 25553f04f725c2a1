import type { Job } from 'bullmq';
import supertest from 'supertest';
import { getAdapter } from '../../adapters';
import { randomBytes } from 'node:crypto';
import { Booking, InboundEvent, Sale, SaleItem, type BookingStatus } from '../../src/platform/db/entities';
import { localToInstant } from '../../src/modules/diary/venue-time';
import { newId } from '../../src/platform/ids';
import { signFor } from './sign';
import { createInboundEventWorker, type InboundEventWorker, type InboundWorkerOptions } from '../../src/modules/partners/pipeline/inbound-event.worker';
import { INBOUND_APPLY_SESSIONS } from '../../src/modules/partners/pipeline/inbound-applier';
import { SessionPool } from '../../src/platform/db/session-pool';
import { startTestApp, uniq, type TestApp } from './test-app';
import { waitFor } from './wait-for';

/** A flat "sale.updated" mapping for a generic test partner (money already in minor units). */
export const SALE_MAPPING = `{
  "type": "sale",
  "location_id": location_id,
  "sale_id": sale.id,
  "version": sale.version,
  "status": sale.status,
  "total": sale.total,
  "currency": sale.currency,
  "booking_id": sale.booking_reference,
  "table_number": sale.table,
  "covers": sale.covers,
  "opened_at": sale.opened_at,
  "closed_at": sale.closed_at,
  "items": [sale.items.{ "name": name, "quantity": qty, "unit_price": unit_price, "total": total }]
}`;

/** "table.closed": the party left, complete the booking. */
export const TABLE_CLOSED_MAPPING = `{
  "type": "booking_status",
  "location_id": location_id,
  "booking_id": booking_reference,
  "table_number": table,
  "at": closed_at,
  "status": status ? status : "completed"
}`;

export interface SaleEventInput {
  location_id?: string | number;
  id?: string | number;
  version?: number | string | null;
  status?: string;
  total?: number;
  currency?: string;
  table?: string | number | null;
  covers?: number | null;
  booking_reference?: string | null;
  opened_at?: string | null;
  closed_at?: string | null;
  items?: { name: string; qty: number; unit_price?: number; total: number }[];
}

/** A native "sale.updated" payload for SALE_MAPPING. */
export function saleEvent(input: SaleEventInput = {}): Record<string, unknown> {
  const { location_id = 'loc-1', ...sale } = input;
  return {
    location_id,
    sale: {
      id: 'S-1',
      version: 1,
      status: 'closed',
      total: 4250,
      currency: 'GBP',
      table: null,
      items: [
        { name: 'Burger', qty: 2, unit_price: 1500, total: 3000 },
        { name: 'Lemonade', qty: 1, unit_price: 1250, total: 1250 },
      ],
      ...sale,
    },
  };
}

export interface TestPartner {
  name: string;
  secret: string;
  adapter: string;
  scheme: string;
  header?: string;
}

/** Registers a partner through the admin API (unique name), with a known secret unless `secret: null`. */
export async function createTestPartner(
  t: TestApp,
  opts: {
    name?: string;
    adapter?: string;
    scheme?: string;
    header?: string;
    secret?: string | null;
    ack?: 'queued' | 'processed';
    conflict?: 'reject' | 'queue';
    enabled?: boolean;
  } = {},
): Promise<TestPartner> {
  const scheme = opts.scheme ?? 'hmac-sha256-hex';
  const signature: Record<string, unknown> = { scheme };
  if (opts.header) signature.header = opts.header;
  if (opts.secret !== null) signature.secret = opts.secret ?? `secret-${uniq('s')}`;
  const body: Record<string, unknown> = { name: opts.name ?? uniq('pos'), signature };
  for (const key of ['adapter', 'ack', 'conflict', 'enabled'] as const) if (opts[key] !== undefined) body[key] = opts[key];
  const res = await t.admin('post', '/admin/v1/partners').send(body);
  if (res.status !== 201) throw new Error(`partner create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    name: res.body.name,
    secret: (signature.secret as string | undefined) ?? res.body.secret,
    adapter: res.body.adapter,
    scheme,
    ...(opts.header ? { header: opts.header } : {}),
  };
}

export async function linkLocation(t: TestApp, partner: string, locationId: string, venueId: string, enabled = true): Promise<void> {
  const res = await t.admin('put', `/admin/v1/partners/${partner}/locations/${encodeURIComponent(locationId)}`).send({ venue_id: venueId, enabled });
  if (res.status !== 200) throw new Error(`location link failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function putMapping(t: TestApp, partner: string, eventType: string, expression: string): Promise<number> {
  const res = await t.admin('put', `/admin/v1/partners/${partner}/mappings/${encodeURIComponent(eventType)}`).send({ expression });
  if (res.status !== 201) throw new Error(`mapping put failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.version as number;
}

/** The public host tests post to, so URL-signing schemes (Square) sign the same URL the app sees. */
/** A new test partner whose `eventType` events map with `expression`, its location `locationId` linked to the venue. */
export async function partnerWithMapping(
  t: TestApp, venueId: string, expression: string, { eventType = 'sale.updated', locationId = 'loc-1' } = {},
): Promise<TestPartner> {
  const p = await createTestPartner(t);
  await putMapping(t, p.name, eventType, expression);
  await linkLocation(t, p.name, locationId, venueId);
  return p;
}

export const TEST_HOST = 'tablesync.test';

/** POSTs a body signed the way the partner's scheme expects. */
export function signedPost(
  t: TestApp,
  partner: TestPartner,
  eventType: string,
  body: string | Buffer | Record<string, unknown>,
  opts: { route?: 'events' | 'callback'; secret?: string; headers?: Record<string, string> } = {},
): supertest.Test {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  const path =
    opts.route === 'callback'
      ? `/partners/${partner.name}/webhooks/callback/${eventType}`
      : `/partners/${partner.name}/events/${eventType}`;
  const signature = signFor(
    partner.scheme,
    { secret: opts.secret ?? partner.secret, rawBody: raw, url: `http://${TEST_HOST}${path}`, header: partner.header },
    getAdapter(partner.adapter),
  );
  const req = t.http.post(path).set('Host', TEST_HOST).set('Content-Type', 'application/json');
  for (const [name, value] of Object.entries({ ...signature, ...opts.headers })) req.set(name, value);
  // Identity serializer: superagent would JSON-encode a Buffer sent as application/json.
  return req.serialize((bytes: unknown) => bytes as string).send(raw);
}

export async function eventRow(t: TestApp, id: string): Promise<InboundEvent | null> {
  return t.composed.deps.dataSource.manager.findOne(InboundEvent, { where: { id } });
}

/** Waits until the event's row reaches one of the statuses. */
export async function waitForEvent(
  t: TestApp,
  id: string,
  statuses: string[] = ['processed', 'ignored', 'failed'],
  timeoutMs = 15_000,
): Promise<InboundEvent> {
  return waitFor(
    async () => {
      const row = await eventRow(t, id);
      return row && statuses.includes(row.status) ? row : null;
    },
    { timeoutMs, what: `event ${id} to be ${statuses.join('|')}` },
  );
}

export async function salesOf(t: TestApp, partner: string, saleId: string): Promise<Sale[]> {
  return t.composed.deps.dataSource.manager.find(Sale, { where: { partner, saleId } });
}

export async function itemsOf(t: TestApp, saleRowId: string): Promise<SaleItem[]> {
  return t.composed.deps.dataSource.manager.find(SaleItem, { where: { saleRowId }, order: { position: 'ASC' } });
}

/**
 * An app serving HTTP with no inbound worker of its own (ROLE=api), so tests decide when and how events
 * are processed: `startWorker` adds real workers (with test options), closed by `stop`.
 */
export interface HubApp extends TestApp {
  startWorker(opts?: InboundWorkerOptions): InboundEventWorker;
}

export async function startHubApp(overrides: Record<string, string> = {}): Promise<HubApp> {
  const t = await startTestApp({ ROLE: 'api', ...overrides });
  const workers: InboundEventWorker[] = [];
  return {
    ...t,
    startWorker(opts = {}) {
      const w = createInboundEventWorker(t.composed.deps, new SessionPool(t.composed.deps.dataSource, INBOUND_APPLY_SESSIONS), opts);
      workers.push(w);
      return w;
    },
    async stop() {
      // Force: a worker a test left blocked must not hold the suite up.
      await Promise.allSettled(workers.map((w) => w.worker.close(true)));
      await t.stop();
    },
  };
}

/**
 * Sends a sale event to a worker that takes it as far as `processing`, hangs there for good and is then
 * killed without finishing: the case of stalled-job recovery. The job lock is short (1 s) and the stalled
 * check frequent, so the stall is noticed within about a second. Returns the event id.
 */
export async function killWorkerMidEvent(t: HubApp, p: TestPartner, sale: SaleEventInput, opts: InboundWorkerOptions = {}): Promise<string> {
  let reached = false;
  const worker = t.startWorker({
    lockDuration: 1000,
    stalledInterval: 300,
    ...opts,
    beforeApply: () => {
      reached = true;
      return new Promise<void>(() => undefined);
    },
  });
  const res = await signedPost(t, p, 'sale.updated', saleEvent(sale));
  if (res.status !== 200) throw new Error(`event refused: ${res.status} ${JSON.stringify(res.body)}`);
  const eventId = res.body.event_id as string;
  await waitFor(async () => reached, { what: 'a worker mid-job' });
  const status = (await eventRow(t, eventId))?.status;
  if (status !== 'processing') throw new Error(`event ${eventId} is ${status}, not processing`);
  await worker.worker.close(true);
  return eventId;
}

/** A promise with its resolve function, for blocking a worker at a known point. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

export async function jobState(t: TestApp, id: string): Promise<string> {
  const job = (await t.composed.deps.queues.inboundEvents.getJob(id)) as Job | undefined;
  return job ? job.getState() : 'missing';
}

/** A table of a venue created with createVenue, by its number. */
export function tableId(venue: { json: Record<string, any> }, number: number | string): string {
  for (const area of venue.json.areas as { tables: { id: string; number: number | string }[] }[]) {
    const table = area.tables.find((x) => String(x.number) === String(number));
    if (table) return table.id;
  }
  throw new Error(`no table ${number}`);
}

/**
 * Writes a booking straight through the repository (the booking API is built elsewhere): venue-local
 * date and time, converted in the venue's timezone like the booking engine does.
 */
export async function insertBooking(
  t: TestApp,
  venue: { id: string; json: Record<string, any> },
  b: { date: string; time: string; minutes?: number; table?: number | string | null; status?: BookingStatus },
): Promise<Booking> {
  const startAt = localToInstant(b.date, b.time, venue.json.timezone as string);
  const now = new Date();
  const booking = t.composed.deps.dataSource.manager.create(Booking, {
    id: newId('bk'),
    venueId: venue.id,
    reference: `TS-${randomBytes(4).toString('hex').toUpperCase()}`,
    status: b.status ?? 'confirmed',
    date: b.date,
    time: b.time,
    startAt,
    endAt: new Date(startAt.getTime() + (b.minutes ?? 90) * 60_000),
    partySize: 2,
    tableId: b.table === null || b.table === undefined ? null : tableId(venue, b.table),
    serviceId: null,
    eventId: null,
    customerId: null,
    notes: null,
    source: 'api',
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
  await t.composed.deps.dataSource.manager.insert(Booking, booking);
  return booking;
}

/** Venue-local wall clock → ISO instant, in the venue's timezone. */
export function localIso(venue: { json: Record<string, any> }, date: string, time: string): string {
  return localToInstant(date, time, venue.json.timezone as string).toISOString();
}
