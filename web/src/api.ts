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

/** The session's CSRF token, for the app's other client of this origin (the partner console's /admin/v1 calls). */
export function currentCsrfToken(): string | null {
  return csrfToken;
}

export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
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

export interface Venue {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  country: string | null;
}

export interface List<T> {
  data: T[];
  next_cursor: string | null;
}

/** The signed-in hint cookie the server sets beside the HttpOnly session cookie (no secret in it). */
export function maySignedIn(): boolean {
  return document.cookie.split(';').some((c) => c.trim() === 'ts_signed_in=1');
}

export function forgetSignedIn(): void {
  document.cookie = 'ts_signed_in=; Max-Age=0; Path=/; SameSite=Lax';
}
