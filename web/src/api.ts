/**
 * The app's only way to the server: the documented API (/api/v1), JSON in and out, errors in the
 * contract's envelope. A write made with the session cookie carries the session's CSRF token.
 */

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: unknown = null) {
    super(message);
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** THE request: JSON to one of the documented APIs of this origin, the CSRF token on writes, errors as ApiError. */
async function request<T>(base: '/api/v1' | '/admin/v1', method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach Tablesync. Check the connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as any;
  if (!res.ok) {
    const e = data?.error;
    throw new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? `The server answered ${res.status}.`, e?.details ?? null);
  }
  return data as T;
}

/** The booking API (/api/v1), as a key or a venue session. */
export function api<T>(method: Exclude<Method, 'PUT'>, path: string, body?: unknown): Promise<T> {
  return request<T>('/api/v1', method, path, body);
}

/** The admin API (/admin/v1), which an operator's session may use (CONTRACT §8): the partner console. */
export function admin<T>(method: Method, path: string, body?: unknown): Promise<T> {
  return request<T>('/admin/v1', method, path, body);
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: 'owner' | 'manager' | 'host' | 'operator';
  venue_id: string | null;
  status?: 'active' | 'invited';
  created_at?: string;
}

export interface SessionInfo {
  user: User;
  csrf_token: string;
  scopes: string[];
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface Table {
  id: string;
  number: number | string;
  min_covers: number;
  max_covers: number;
}

export interface Area {
  id: string;
  name: string;
  tables: Table[];
}

export interface Service {
  id: string;
  name: string;
  /** ISO weekdays 1 (Monday) – 7 (Sunday). */
  days: number[];
  start: string;
  end: string;
  slot_interval_minutes: number;
  duration_minutes: number;
}

export interface VenueEvent {
  id: string;
  name: string;
  date: string;
  start: string;
  end: string;
  capacity: number;
}

export interface Venue {
  id: string;
  name: string;
  slug?: string;
  timezone: string;
  currency: string;
  country: string | null;
  areas?: Area[];
  services?: Service[];
  events?: VenueEvent[];
  /** The venue settings (CONTRACT "Venue settings"); absent on a server without them. */
  settings?: Record<string, unknown>;
}

export interface Booking {
  id: string;
  reference: string;
  status: string;
  date: string;
  time: string;
  start_at: string;
  end_at: string;
  party_size: number;
  table: { id: string; number: number | string } | null;
  service_id: string | null;
  event_id: string | null;
  customer: { id: string; name: string; email: string | null; phone: string | null } | null;
  /** The customer's name, else the name a booking platform sent for a guest kept without a customer (§12). */
  guest_name?: string | null;
  notes: string | null;
  /** `api`, `widget`, `console`, `channel:<name>`, or a booking platform's (partner's) name. */
  source: string;
  /** A request's end (CONTRACT §11): null for other bookings. Absent on a server without requests. */
  expires_at?: string | null;
  decline_reason?: string | null;
  /** A booking platform's reservation kept without a table (§12). Absent on a server without reservations. */
  needs_table?: boolean;
  version?: number;
  created_at: string;
  updated_at: string;
}

/** The guest a page names for a booking: its customer, else a booking platform's name-only guest, else a walk-in. */
export function guestOf(b: Pick<Booking, 'customer' | 'guest_name'>): string {
  return b.customer?.name ?? b.guest_name ?? 'Walk-in';
}

export interface SaleItem {
  name: string;
  quantity: number;
  unit_price: number | null;
  total: number;
  sku: string | null;
  category: string | null;
}

export interface Sale {
  id: string;
  partner: string;
  sale_id: string;
  booking_id: string | null;
  match: 'booking_id' | 'table_time' | 'manual' | null;
  status: 'open' | 'closed' | 'void' | 'refunded';
  total: number;
  subtotal?: number | null;
  tax?: number | null;
  tip?: number | null;
  discount?: number | null;
  currency: string;
  table_number: number | string | null;
  covers: number | null;
  opened_at: string | null;
  closed_at: string | null;
  items: SaleItem[];
  payments?: { method: string; amount: number; tip?: number }[];
  version: number;
  received_at?: string;
  updated_at: string;
}

export interface BookingDetail extends Booking {
  sales: Sale[];
  spend: { total: number; currency: string; count: number };
}

export interface Candidate {
  booking: Booking;
  score: number;
  reasons: string[];
}

export interface Customer {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  notes: string | null;
  visits: number;
  spend: { total: number; currency: string };
  created_at: string;
}

export interface CustomerDetail extends Customer {
  bookings: Booking[];
}

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  failing_since?: string | null;
  created_at: string;
}

export interface WebhookDelivery {
  id: string;
  message_id: string;
  event: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  attempt_log: { attempt: number; status_code: number | null; duration_ms: number | null; error: string | null; created_at: string }[];
  created_at: string;
}

/** An email of the venue (CONTRACT §10.3, `GET /api/v1/emails`). */
export interface Email {
  id: string;
  to: string;
  subject: string;
  kind: string;
  status: 'queued' | 'sent' | 'kept' | 'failed';
  booking_id: string | null;
  created_at: string;
  sent_at: string | null;
  attempts: number;
  last_error?: string | null;
  next_attempt_at?: string | null;
}

export interface EmailDetail extends Email {
  text: string;
}

export interface List<T> {
  data: T[];
  next_cursor: string | null;
}

/** Every page of a list (`next_cursor` followed), up to `max` rows: a day of a busy diary is a few pages. */
export async function listAll<T>(path: string, max = 2000): Promise<T[]> {
  const out: T[] = [];
  const sep = path.includes('?') ? '&' : '?';
  let cursor: string | null = null;
  do {
    const page: List<T> = await api<List<T>>('GET', `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor && out.length < max);
  return out;
}

export function errorText(err: unknown, fallback = 'Something went wrong.'): string {
  return err instanceof Error && err.message ? err.message : fallback;
}

/** The signed-in hint cookie the server sets beside the HttpOnly session cookie (no secret in it). */
export function maySignedIn(): boolean {
  return document.cookie.split(';').some((c) => c.trim() === 'ts_signed_in=1');
}

export function forgetSignedIn(): void {
  document.cookie = 'ts_signed_in=; Max-Age=0; Path=/; SameSite=Lax';
}
