/** The guest pages' only way to the server: the public widget API (/api/v1/public), errors in the contract's envelope. */

export class PublicApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: any = null) {
    super(message);
  }
}

export async function publicApi<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/v1/public${path}`, {
      method,
      headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new PublicApiError(0, 'network_error', 'We cannot reach the booking service. Check your connection and try again.');
  }
  const data = (await res.json().catch(() => null)) as any;
  if (!res.ok) {
    const e = data?.error;
    throw new PublicApiError(res.status, e?.code ?? 'http_error', e?.message ?? `Something went wrong (${res.status}).`, e?.details ?? null);
  }
  return data as T;
}

export interface VenueConfig {
  name: string;
  slug: string;
  timezone: string;
  currency: string;
  country: string | null;
  party_size: { min: number; max: number };
  booking_window_days: number;
  max_instant_party_size: number;
  services: { id: string; name: string; days: number[]; start: string; end: string }[];
  policies: { cancellation_hours: number; text: string };
  theme: { accent: string };
}

export interface Slot {
  time: string;
  available: boolean;
  service_id: string | null;
}

export interface RangeAvailability {
  party_size: number;
  days: { date: string; slots: Slot[] }[];
}

export interface BookingResult {
  reference: string;
  status: string;
  date: string;
  time: string;
  party_size: number;
  manage_url: string;
}

export interface ManageView {
  reference: string;
  status: string;
  date: string;
  time: string;
  party_size: number;
  start_at: string;
  end_at: string;
  venue: { name: string; slug: string; timezone: string; currency?: string };
  can_change: boolean;
  can_cancel: boolean;
  change_deadline: string | null;
  policies?: { cancellation_hours: number; text: string };
}

/** A new key per attempt the guest makes; a retry of the same attempt (a lost answer) reuses it. */
export function newIdempotencyKey(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export const tokenOf = (manageUrl: string): string => manageUrl.slice(manageUrl.lastIndexOf('/') + 1);
export const calendarUrl = (token: string): string => `/api/v1/public/bookings/${encodeURIComponent(token)}/calendar.ics`;
