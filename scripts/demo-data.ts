/**
 * The demo's venue and its day (`npm run demo`, and the page screenshots): a restaurant with three areas,
 * lunch and dinner, its people, a POS partner, and today's bookings — earlier ones completed with their
 * sales, current ones seated with open checks, later ones confirmed — plus the POS events the live part of
 * the demo sends. Everything goes through the documented APIs (admin, /api/v1, the signed partner
 * endpoint); only bookings earlier than now are made through the booking writer's door with an earlier
 * clock (the API refuses a time in the past, as it should).
 *
 * The venue's time zone is, by default, one where it is dinner time now, so a newcomer at any hour sees a
 * busy service with spend landing live (DEMO_TIMEZONE picks one).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type supertest from 'supertest';
import type { Composed } from '../src/composition-root';

export const DEMO_PASSWORD = 'demo-password-2026';
export const DEMO_PARTNER = 'demo-pos';
export const DEMO_PARTNER_SECRET = process.env.DEMO_PARTNER_SECRET ?? 'demo-pos-secret-change-me';

/** Zones a quarter of the world apart at most an hour, with each one's currency and country. */
const ZONES: { zone: string; currency: string; country: string; rate: number }[] = [
  { zone: 'Pacific/Auckland', currency: 'NZD', country: 'NZ', rate: 2.1 },
  { zone: 'Australia/Sydney', currency: 'AUD', country: 'AU', rate: 1.9 },
  { zone: 'Asia/Tokyo', currency: 'JPY', country: 'JP', rate: 190 },
  { zone: 'Asia/Singapore', currency: 'SGD', country: 'SG', rate: 1.7 },
  { zone: 'Asia/Bangkok', currency: 'THB', country: 'TH', rate: 45 },
  { zone: 'Asia/Kolkata', currency: 'INR', country: 'IN', rate: 105 },
  { zone: 'Asia/Dubai', currency: 'AED', country: 'AE', rate: 4.6 },
  { zone: 'Europe/Istanbul', currency: 'TRY', country: 'TR', rate: 40 },
  { zone: 'Europe/Athens', currency: 'EUR', country: 'GR', rate: 1.15 },
  { zone: 'Europe/Paris', currency: 'EUR', country: 'FR', rate: 1.15 },
  { zone: 'Europe/London', currency: 'GBP', country: 'GB', rate: 1 },
  { zone: 'Atlantic/Azores', currency: 'EUR', country: 'PT', rate: 1.15 },
  { zone: 'America/Noronha', currency: 'BRL', country: 'BR', rate: 6.5 },
  { zone: 'America/Sao_Paulo', currency: 'BRL', country: 'BR', rate: 6.5 },
  { zone: 'America/Halifax', currency: 'CAD', country: 'CA', rate: 1.7 },
  { zone: 'America/New_York', currency: 'USD', country: 'US', rate: 1.25 },
  { zone: 'America/Chicago', currency: 'USD', country: 'US', rate: 1.25 },
  { zone: 'America/Denver', currency: 'USD', country: 'US', rate: 1.25 },
  { zone: 'America/Los_Angeles', currency: 'USD', country: 'US', rate: 1.25 },
  { zone: 'America/Anchorage', currency: 'USD', country: 'US', rate: 1.25 },
  { zone: 'Pacific/Honolulu', currency: 'USD', country: 'US', rate: 1.25 },
];

/** The zone where it is closest to 19:30 now (or DEMO_TIMEZONE). */
export function demoZone(now: DateTime = DateTime.now()): (typeof ZONES)[number] {
  const forced = process.env.DEMO_TIMEZONE;
  if (forced) return ZONES.find((z) => z.zone === forced) ?? { zone: forced, currency: 'GBP', country: 'GB', rate: 1 };
  const distance = (z: string) => {
    const local = now.setZone(z);
    const d = Math.abs(local.hour * 60 + local.minute - (19 * 60 + 30));
    return Math.min(d, 1440 - d);
  };
  return [...ZONES].sort((a, b) => distance(a.zone) - distance(b.zone))[0]!;
}

// A small seeded generator, so every demo day looks alike (names, parties, menus).
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GUESTS = [
  'Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Tim Berners-Lee', 'Margaret Hamilton', 'Linus Pauling',
  'Rosalind Franklin', 'Niels Bohr', 'Marie Curie', 'Dorothy Hodgkin', 'Richard Feynman', 'Hedy Lamarr', 'Carl Sagan',
  'Barbara McClintock', 'Srinivasa Ramanujan', 'Emmy Noether', 'Chien-Shiung Wu', 'Lise Meitner', 'Max Planck', 'Mary Somerville',
  'Alexander Fleming', 'Jane Goodall', 'Rachel Carson', 'Annie Easley', 'Vera Rubin', 'John Snow', 'Florence Nightingale',
  'Mae Jemison', 'Frances Allen', 'Sophie Wilson', 'Karen Spärck Jones', 'Donald Knuth', 'Edsger Dijkstra', 'Barbara Liskov',
  'Ken Thompson', 'Radia Perlman', 'Fei-Fei Li', 'Tu Youyou', 'Wangari Maathai', 'Mario Molina', 'Abdus Salam', 'Yuan Lee',
  'Hideki Yukawa', 'Satyendra Bose', 'Jocelyn Bell', 'Eunice Foote', 'Inge Lehmann', 'Kip Thorne', 'Ruth Handler',
];
const NOTES = [
  'Birthday: candle with dessert, please', 'Nut allergy', 'High chair needed', 'Window table if possible', 'Anniversary',
  'Vegan x2', 'Gluten free', 'Regular: likes table by the fire', 'Running 10 minutes late', 'Business dinner, separate bills',
];

export interface MenuItem { name: string; price: number; category: string }
const MENU: MenuItem[] = [
  { name: 'Burrata, blood orange', price: 950, category: 'Starters' },
  { name: 'Soup of the day', price: 700, category: 'Starters' },
  { name: 'Oysters (6)', price: 1800, category: 'Starters' },
  { name: 'Salt & pepper squid', price: 850, category: 'Starters' },
  { name: 'Sea bass, fennel', price: 2400, category: 'Mains' },
  { name: 'Ribeye 300 g', price: 3200, category: 'Mains' },
  { name: 'Wild mushroom risotto', price: 1850, category: 'Mains' },
  { name: 'Roast chicken', price: 2100, category: 'Mains' },
  { name: 'Bistro burger', price: 1600, category: 'Mains' },
  { name: 'Tiramisu', price: 800, category: 'Desserts' },
  { name: 'Lemon sorbet', price: 650, category: 'Desserts' },
  { name: 'House red, bottle', price: 2800, category: 'Wine' },
  { name: 'Sancerre, bottle', price: 4200, category: 'Wine' },
  { name: 'Negroni', price: 1100, category: 'Drinks' },
  { name: 'Pint of lager', price: 620, category: 'Drinks' },
  { name: 'Sparkling water', price: 400, category: 'Drinks' },
  { name: 'Flat white', price: 340, category: 'Drinks' },
];

export interface DemoVenue {
  id: string;
  name: string;
  slug: string;
  timezone: string;
  currency: string;
  country: string;
  tables: { id: string; number: string | number; max: number; min: number; area: string }[];
  json: Record<string, any>;
}

export interface DemoBooking {
  id: string;
  reference: string;
  table: string;
  start: DateTime;
  end: DateTime;
  party: number;
  status: string;
}

export interface OpenCheck {
  saleId: string;
  version: number;
  booking: DemoBooking;
  items: { name: string; qty: number; unit_price: number; total: number; category: string }[];
  opened: DateTime;
}

export interface Demo {
  venue: DemoVenue;
  apiKey: string;
  people: { role: string; name: string; email: string }[];
  location: string;
  today: string;
  bookings: DemoBooking[];
  /** Checks still open on seated tables: what the live part adds to and closes. */
  open: OpenCheck[];
  eventIds: string[];
}

type Http = ReturnType<typeof supertest>;

function expectStatus(res: supertest.Response, ok: number[], what: string): supertest.Response {
  if (!ok.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/** Prices in the venue's currency: the menu is in pence, scaled by a rough rate and rounded to a menu-like step. */
export function priceIn(pence: number, currency: string, rate: number): number {
  const exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const major = (pence / 100) * rate;
  const step = major >= 1000 ? 100 : major >= 100 ? 10 : major >= 20 ? 0.5 : 0.1;
  return Math.round((Math.round(major / step) * step) * 10 ** exponent);
}

export async function seedDemo(app: Composed, http: Http, adminToken: string, opts: { now?: DateTime; seed?: number } = {}): Promise<Demo> {
  const admin = { Authorization: `Bearer ${adminToken}` };
  const z = demoZone(opts.now);
  const now = (opts.now ?? DateTime.now()).setZone(z.zone);
  const rnd = prng(opts.seed ?? 20261201);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const price = (p: number) => priceIn(p, z.currency, z.rate);
  const tag = randomBytes(2).toString('hex');
  const slug = `demo-bistro-${tag}`;
  const today = now.toISODate()!;

  const venueJson = expectStatus(await http.post('/admin/v1/venues').set(admin).send({
    name: 'Demo Bistro', slug, timezone: z.zone, currency: z.currency, country: z.country, plan: 'pro',
    areas: [
      { name: 'Dining room', tables: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ number: n, min_covers: n <= 2 ? 1 : 2, max_covers: n <= 2 ? 2 : n === 8 ? 8 : 4 })) },
      { name: 'Window', tables: [10, 11, 12].map((n) => ({ number: n, min_covers: 1, max_covers: 2 })) },
      { name: 'Terrace', tables: [20, 21, 22, 23].map((n) => ({ number: n, min_covers: 2, max_covers: n === 23 ? 10 : 6 })) },
    ],
    services: [
      { name: 'Lunch', days: [1, 2, 3, 4, 5, 6, 7], start: '12:00', end: '15:00', slot_interval_minutes: 15, duration_minutes: 75 },
      { name: 'Dinner', days: [1, 2, 3, 4, 5, 6, 7], start: '17:30', end: '23:00', slot_interval_minutes: 15, duration_minutes: 120 },
    ],
  }), [201], 'create venue').body as Record<string, any>;
  const venue: DemoVenue = {
    id: venueJson.id, name: venueJson.name, slug, timezone: z.zone, currency: z.currency, country: z.country, json: venueJson,
    tables: (venueJson.areas as any[]).flatMap((a) => (a.tables as any[]).map((t) => ({ id: t.id, number: t.number, min: t.min_covers, max: t.max_covers, area: a.name }))),
  };

  const apiKey = expectStatus(await http.post(`/admin/v1/venues/${venue.id}/api-keys`).set(admin).send({
    name: 'Demo key',
    scopes: ['venue:read', 'bookings:read', 'bookings:write', 'customers:read', 'customers:write', 'sales:read', 'sales:write', 'webhooks:read', 'webhooks:write'],
    rate_limit_per_minute: 6000,
  }), [201], 'create key').body.key as string;
  const api = { Authorization: `Bearer ${apiKey}` };

  const people = [
    { role: 'owner', name: 'Olive Owner', email: `owner+${slug}@example.com` },
    { role: 'manager', name: 'Max Manager', email: `manager+${slug}@example.com` },
    { role: 'host', name: 'Hana Host', email: `host+${slug}@example.com` },
  ];
  for (const p of people) {
    expectStatus(await http.post(`/admin/v1/venues/${venue.id}/users`).set(admin).send({ ...p, password: DEMO_PASSWORD }), [201], `create ${p.role}`);
  }

  // The demo-pos partner is installed at start (mappings/demo-pos/partner.json); give it a known secret.
  const existing = await http.get(`/admin/v1/partners/${DEMO_PARTNER}`).set(admin);
  if (existing.status === 404) {
    expectStatus(await http.post('/admin/v1/partners').set(admin).send({
      name: DEMO_PARTNER, adapter: 'demo-pos', signature: { scheme: 'hmac-sha256-hex', header: 'x-signature', secret: DEMO_PARTNER_SECRET },
    }), [201], 'create partner');
  } else {
    expectStatus(await http.patch(`/admin/v1/partners/${DEMO_PARTNER}`).set(admin).send({ signature: { secret: DEMO_PARTNER_SECRET }, enabled: true }), [200], 'set partner secret');
  }
  const location = `demo-${slug}`;
  expectStatus(await http.put(`/admin/v1/partners/${DEMO_PARTNER}/locations/${location}`).set(admin).send({ venue_id: venue.id, enabled: true }), [200, 201], 'link location');

  // Today's bookings, table by table: one or two lunch sittings, two or three at dinner.
  const at = (hhmm: string) => DateTime.fromISO(`${today}T${hhmm}`, { zone: z.zone });
  const dayStart = at('00:00');
  const venueRef = { id: venue.id, timezone: z.zone, currency: z.currency, country: z.country };
  const bookings: DemoBooking[] = [];
  let guest = 0;
  const quarter = (m: number) => Math.round(m / 15) * 15;
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  for (const t of venue.tables) {
    const sittings: number[] = [];
    if (rnd() < 0.7) sittings.push(quarter(12 * 60 + rnd() * 60));
    if (sittings.length && rnd() < 0.45 && sittings[0]! + 90 <= 13 * 60 + 45) sittings.push(sittings[0]! + 90);
    let m = quarter(17 * 60 + 30 + rnd() * 75);
    while (m <= 21 * 60) {
      if (rnd() < 0.85) sittings.push(m);
      m = quarter(m + 120 + 15 + rnd() * 30);
    }
    for (const s of sittings) {
      const party = Math.max(t.min, Math.min(t.max, Math.round(t.min + rnd() * (t.max - t.min))));
      const name = GUESTS[guest++ % GUESTS.length]!;
      const first = name.split(' ')[0]!.toLowerCase();
      const input = {
        date: today, time: hhmm(s), party_size: party, customer_name: name, table_id: t.id,
        email: rnd() < 0.8 ? `${first}.${guest}@example.com` : null,
        phone: rnd() < 0.5 ? `+44 20 7946 0${String(guest % 1000).padStart(3, "0")}` : null,
        notes: rnd() < 0.22 ? pick(NOTES) : null,
      };
      try {
        const start = at(input.time);
        // Made earlier in the day: the writer's clock is the day's start, so earlier times are not "in the past".
        const made = start <= now
          ? await app.deps.bookingWriter.book(venueRef, input, dayStart.toJSDate())
          : expectStatus(await http.post('/api/v1/bookings').set(api).send(input), [201], 'create booking').body;
        bookings.push({
          id: made.id as string, reference: made.reference as string, table: String(t.number), start, party,
          end: DateTime.fromISO(made.end_at as string).setZone(z.zone), status: made.status as string,
        });
      } catch (err) {
        // The slot was full or the table taken (422): a real diary has gaps too. Anything else is a bug.
        if (!/: 422 /.test(String((err as Error).message)) && (err as { code?: string }).code !== 'slot_unavailable') throw err;
      }
    }
  }

  const setStatus = async (b: DemoBooking, status: string) => {
    expectStatus(await http.patch(`/api/v1/bookings/${b.id}`).set(api).send({ status }), [200], `booking ${status}`);
    b.status = status;
  };
  const eventIds: string[] = [];
  const open: OpenCheck[] = [];
  const itemsFor = (party: number, stage: 'start' | 'all') => {
    const items: OpenCheck['items'] = [];
    const add = (category: string, qty: number) => {
      const options = MENU.filter((i) => i.category === category);
      const item = pick(options);
      const unit = price(item.price);
      const same = items.find((i) => i.name === item.name);
      if (same) {
        same.qty += qty;
        same.total += unit * qty;
      } else items.push({ name: item.name, qty, unit_price: unit, total: unit * qty, category: item.category });
    };
    add(rnd() < 0.5 ? 'Wine' : 'Drinks', Math.max(1, Math.round(party / 2)));
    add('Starters', Math.max(1, Math.round(party * 0.6)));
    if (stage === 'all') {
      for (let i = 0; i < party; i++) add('Mains', 1);
      if (rnd() < 0.6) add('Desserts', Math.max(1, Math.round(party / 2)));
      if (rnd() < 0.5) add('Drinks', 1 + Math.floor(rnd() * party));
    }
    return items;
  };

  for (const b of bookings) {
    if (b.end <= now) {
      const r = rnd();
      if (r < 0.07) await setStatus(b, 'no_show');
      else if (r < 0.12) await setStatus(b, 'cancelled');
      else {
        await setStatus(b, 'seated');
        await setStatus(b, 'completed');
        const items = itemsFor(b.party, 'all');
        const opened = b.start.plus({ minutes: 5 + Math.floor(rnd() * 10) });
        eventIds.push(await sendSale(http, location, {
          id: `D-${tag}-${b.reference.slice(3)}`, version: 1, status: 'closed', table: b.table, covers: b.party, items,
          opened_at: opened.toUTC().toISO()!, closed_at: b.end.minus({ minutes: 10 }).toUTC().toISO()!, currency: z.currency,
        }));
      }
    } else if (b.start <= now) {
      // Arrived, unless due in the last 20 minutes (some parties run late).
      if (b.start < now.minus({ minutes: 20 }) || rnd() < 0.6) {
        await setStatus(b, 'seated');
        const opened = b.start.plus({ minutes: 5 });
        const check: OpenCheck = { saleId: `D-${tag}-${b.reference.slice(3)}`, version: 1, booking: b, items: itemsFor(b.party, 'start'), opened };
        if (opened <= now) {
          eventIds.push(await sendSale(http, location, saleBody(check, z.currency, 'open')));
          open.push(check);
        }
      }
    } else if (rnd() < 0.06) {
      await setStatus(b, 'cancelled');
    }
  }

  // Sales no booking holds: a bar tab without a table, and a check on a table nobody booked at that hour.
  const bar = now.minus({ minutes: 35 });
  eventIds.push(await sendSale(http, location, {
    id: `D-${tag}-BAR1`, version: 1, status: 'closed', table: null, covers: 2, currency: z.currency,
    items: [{ name: 'Negroni', qty: 2, unit_price: price(1100), total: 2 * price(1100), category: 'Drinks' }],
    opened_at: bar.toUTC().toISO()!, closed_at: bar.plus({ minutes: 20 }).toUTC().toISO()!,
  }));
  const walkIn = now.minus({ minutes: 70 });
  eventIds.push(await sendSale(http, location, {
    id: `D-${tag}-WALK1`, version: 1, status: 'closed', table: '12', covers: 2, currency: z.currency,
    items: [{ name: 'Bistro burger', qty: 2, unit_price: price(1600), total: 2 * price(1600), category: 'Mains' },
      { name: 'Pint of lager', qty: 2, unit_price: price(620), total: 2 * price(620), category: 'Drinks' }],
    opened_at: walkIn.toUTC().toISO()!, closed_at: walkIn.plus({ minutes: 45 }).toUTC().toISO()!,
  }));

  return { venue, apiKey, people, location, today, bookings, open, eventIds };
}

export function saleBody(c: OpenCheck, currency: string, status: 'open' | 'closed', closedAt?: DateTime): Record<string, unknown> {
  return {
    id: c.saleId, version: c.version, status, table: c.booking.table, covers: c.booking.party, currency,
    items: c.items, opened_at: c.opened.toUTC().toISO(), closed_at: closedAt ? closedAt.toUTC().toISO() : null,
  };
}

/** Posts one signed demo-pos `sale.updated` (the total is the items' sum) and returns the event id. */
export async function sendSale(http: Http, location: string, sale: Record<string, unknown>): Promise<string> {
  const items = (sale.items as { total: number }[] | undefined) ?? [];
  const total = items.reduce((n, i) => n + i.total, 0);
  const body = JSON.stringify({ event: 'sale.updated', location_id: location, sale: { total, subtotal: total, tax: 0, tip: 0, discount: 0, ...sale } });
  for (let attempt = 0; ; attempt++) {
    const res = await http.post(`/partners/${DEMO_PARTNER}/events/sale.updated`)
      .set('content-type', 'application/json')
      .set('x-signature', createHmac('sha256', DEMO_PARTNER_SECRET).update(body).digest('hex'))
      .send(body);
    // 409: the sale's previous event is still being processed; the POS tries again shortly.
    if (res.status === 409 && attempt < 50) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    expectStatus(res, [200], 'POS sale');
    return res.body.event_id as string;
  }
}

/** Waits until every event is processed (or ignored/failed), for up to `ms`. */
export async function waitForEvents(http: Http, adminToken: string, ids: string[], ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (const id of ids) {
    for (;;) {
      const ev = await http.get(`/admin/v1/events/${id}`).set({ Authorization: `Bearer ${adminToken}` });
      if (ev.status === 200 && ['processed', 'ignored', 'failed'].includes(ev.body.status)) break;
      if (Date.now() > deadline) throw new Error(`POS event ${id} was not processed in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** One step of the live part: a seated table orders more, or pays and leaves, or the bar sells a drink. */
export async function liveStep(http: Http, demo: Demo, apiKey: string, rnd: () => number, now = DateTime.now()): Promise<string> {
  const z = { currency: demo.venue.currency };
  const rate = ZONES.find((x) => x.zone === demo.venue.timezone)?.rate ?? 1;
  const price = (p: number) => priceIn(p, z.currency, rate);
  const r = rnd();
  const check = demo.open.length ? demo.open[Math.floor(rnd() * demo.open.length)]! : null;
  if (check && r < 0.65) {
    const category = check.items.some((i) => i.category === 'Mains') ? (rnd() < 0.5 ? 'Desserts' : 'Drinks') : 'Mains';
    const options = MENU.filter((i) => i.category === category);
    const item = options[Math.floor(rnd() * options.length)]!;
    const qty = category === 'Mains' ? check.booking.party : 1 + Math.floor(rnd() * 2);
    check.items.push({ name: item.name, qty, unit_price: price(item.price), total: qty * price(item.price), category: item.category });
    check.version += 1;
    await sendSale(http, demo.location, saleBody(check, z.currency, 'open'));
    return `table ${check.booking.table} ordered ${qty}× ${item.name}`;
  }
  if (check && r < 0.85) {
    check.version += 1;
    await sendSale(http, demo.location, saleBody(check, z.currency, 'closed', now));
    demo.open.splice(demo.open.indexOf(check), 1);
    const res = await http.patch(`/api/v1/bookings/${check.booking.id}`).set({ Authorization: `Bearer ${apiKey}` }).send({ status: 'completed' });
    return `table ${check.booking.table} paid and left${res.status === 200 ? ' (completed)' : ''}`;
  }
  // Seat the next party due, if any, and open their check; else the bar sells a round.
  const due = demo.bookings.find((b) => b.status === 'confirmed' && b.start <= now.plus({ minutes: 20 }) && b.end > now);
  if (due) {
    const res = await http.patch(`/api/v1/bookings/${due.id}`).set({ Authorization: `Bearer ${apiKey}` }).send({ status: 'seated' });
    if (res.status === 200) {
      due.status = 'seated';
      const drinks = MENU.filter((i) => i.category === 'Drinks');
      const item = drinks[Math.floor(rnd() * drinks.length)]!;
      const c: OpenCheck = {
        saleId: `D-${demo.venue.slug}-${due.reference.slice(3)}`, version: 1, booking: due, opened: now,
        items: [{ name: item.name, qty: due.party, unit_price: price(item.price), total: due.party * price(item.price), category: 'Drinks' }],
      };
      await sendSale(http, demo.location, saleBody(c, z.currency, 'open'));
      demo.open.push(c);
      return `seated ${due.party} at table ${due.table} and opened their check`;
    }
  }
  const item = MENU.find((i) => i.name === 'Negroni')!;
  await sendSale(http, demo.location, {
    id: `D-${demo.venue.slug}-BAR-${randomBytes(2).toString('hex')}`, version: 1, status: 'closed', table: null, covers: 1, currency: z.currency,
    items: [{ name: item.name, qty: 1, unit_price: price(item.price), total: price(item.price), category: item.category }],
    opened_at: now.toUTC().toISO(), closed_at: now.toUTC().toISO(),
  });
  return 'the bar sold a Negroni (no table: it lands in unmatched sales)';
}
