/**
 * CORS of the public widget API (CONTRACT §10, §15): any origin may read (`GET`: `Access-Control-Allow-Origin:
 * *`); a write (`POST`/`PATCH`/`DELETE`) from a browser is allowed from the venue's `allowed_origins`
 * (empty: any), answered with that origin; a disallowed origin gets no `Access-Control-Allow-Origin` (the
 * browser then withholds the answer). A preflight (`OPTIONS`) always answers 204, with the allow headers
 * only for an allowed origin. CORS is the browser's rule, not an authentication: requests without an
 * Origin (servers, curl) are answered as usual.
 */
import type { Request, Response } from 'express';

/** What the widget's browser code may read besides the simple headers. */
const EXPOSED = 'X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, Idempotent-Replayed';
const ALLOWED_HEADERS = 'Content-Type, Idempotency-Key';

/** `https://Example.com:443/` → `https://example.com`; null for anything that is not an http(s) origin. */
export function normalizeOrigin(origin: string): string | null {
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin.toLowerCase();
  } catch {
    return null;
  }
}

export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  if (!allowed.length) return true;
  const o = normalizeOrigin(origin);
  return o !== null && allowed.some((a) => normalizeOrigin(a) === o);
}

const isRead = (method: string) => method === 'GET' || method === 'HEAD';

/** A read: any origin. Set before anything else runs, so that a 404 or 429 is readable too. */
export function applyReadCors(res: Response): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED);
}

/** A write: the request's origin, when the venue allows it. */
export function applyWriteCors(req: Request, res: Response, allowed: readonly string[]): void {
  res.vary('Origin');
  const origin = req.get('origin');
  if (!origin || !originAllowed(origin, allowed)) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Expose-Headers', EXPOSED);
}

/**
 * Answers a preflight: 204, with the allow headers when the method is a read (any origin) or the origin is
 * among `allowed` (null: the venue is unknown, so nothing is allowed).
 */
export function answerPreflight(req: Request, res: Response, methods: readonly string[], allowed: readonly string[] | null): void {
  const requested = (req.get('access-control-request-method') ?? 'GET').toUpperCase();
  const origin = req.get('origin');
  res.vary('Origin');
  const ok = isRead(requested) ? true : allowed !== null && !!origin && originAllowed(origin, allowed);
  if (ok && methods.includes(requested)) {
    res.setHeader('Access-Control-Allow-Origin', isRead(requested) ? '*' : origin!);
    res.setHeader('Access-Control-Allow-Methods', [...methods, 'OPTIONS'].join(', '));
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.status(204).end();
}

/** Whether a request path matches an Express-style pattern of plain segments and `:params`; its params. */
export function matchPattern(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const a = path.split('/');
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(':')) {
      if (!a[i]) return null;
      try {
        params[p[i]!.slice(1)] = decodeURIComponent(a[i]!);
      } catch {
        return null;
      }
    } else if (p[i] !== a[i]) {
      return null;
    }
  }
  return params;
}
