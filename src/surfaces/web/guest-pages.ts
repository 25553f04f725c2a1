import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type Response } from 'express';
import type { AppDeps } from '../../app-deps';
import { findPublicVenue } from '../../modules/guests';
import { AppError } from '../../platform/app-error';
import { PROJECT_ROOT } from '../../platform/project-root';
import { WEB_DIST_DIR } from './web-app';

/**
 * The guests' pages (CONTRACT §10), served like the staff app's shell from Vite's build (web/guest.html,
 * its own entry; assets under /app/assets): `/widget/:slug` (framable by any site, or by the venue's
 * `allowed_origins` when it has set them), `/manage/:token` and `/review/:token` (not framable by other
 * sites), and `/widget.js`, the embed script (web/embed/widget.js, a few KB, loadable from any site).
 * Pages, not API operations: mounted outside the surfaces, so the OpenAPI document leaves them out.
 */

const EMBED_SCRIPT = join(PROJECT_ROOT, 'web', 'embed', 'widget.js');

const BASE_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
];

function sendShell(res: Response, shell: string, frameAncestors: string): void {
  // helmet's X-Frame-Options would forbid what frame-ancestors allows; the CSP says it for every browser that embeds.
  res.removeHeader('X-Frame-Options');
  if (frameAncestors === "'self'") res.setHeader('X-Frame-Options', 'SAMEORIGIN');
  res.sendFile(shell, {
    headers: { 'Cache-Control': 'no-cache', 'Content-Security-Policy': [...BASE_CSP, `frame-ancestors ${frameAncestors}`].join('; ') },
  });
}

export function guestPagesRouter(deps: Pick<AppDeps, 'dataSource'>, distDir = WEB_DIST_DIR): Router {
  const router = Router();
  const shell = join(distDir, 'guest.html');
  let script: string | null = null;

  const ready = (next: (err?: unknown) => void): boolean => {
    if (existsSync(shell)) return true;
    next(new AppError('unavailable', 'The guest pages are not built: run `npm run build:web`.'));
    return false;
  };

  router.get('/widget.js', (_req, res) => {
    script ??= readFileSync(EMBED_SCRIPT, 'utf8');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/javascript; charset=utf-8').send(script);
  });

  router.get('/widget/:slug', async (req, res, next) => {
    if (!ready(next)) return;
    // A venue that fences its API writes to its own sites is framed only there (and here).
    const venue = await findPublicVenue(deps.dataSource.manager, String(req.params.slug));
    const origins = venue?.settings.allowed_origins ?? [];
    sendShell(res, shell, origins.length ? ["'self'", ...origins].join(' ') : '*');
  });

  for (const path of ['/manage/:token', '/review/:token']) {
    router.get(path, (_req, res, next) => {
      if (!ready(next)) return;
      sendShell(res, shell, "'self'");
    });
  }
  return router;
}
