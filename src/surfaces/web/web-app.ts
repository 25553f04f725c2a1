import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { Router } from 'express';
import { AppError } from '../../platform/app-error';

/**
 * The web app's pages at /app (CONTRACT §9), served from Vite's output in web/dist. Pages are not API
 * operations: this router is mounted beside the API routers, outside the OpenAPI document.
 * - /app/assets/*: content-hashed files, cached for a year (a new build has new names).
 * - every other GET under /app: the app shell, revalidated on every load so a deploy shows at once; the
 *   client-side router then draws the page for the path (unknown paths included).
 */

/** The repository root: the nearest folder above this file with a package.json (src/ or a compiled copy). */
function projectRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

export const WEB_DIST_DIR = join(projectRoot(), 'web', 'dist');

// The shell loads only its own hashed files and talks only to this origin: style sheets and scripts only from
// the origin, no inline script, no inline style (neither <style> nor style attributes; styles set through the
// CSSOM, `el.style.x = …`, are not governed by CSP). The mapping editor (CodeMirror) mounts in a shadow root,
// where its styles are a constructed style sheet (see web/src/partners/code-editor.tsx).
const SHELL_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export function webAppRouter(distDir = WEB_DIST_DIR): Router {
  const router = Router();
  const shell = join(distDir, 'index.html');

  router.use('/assets', express.static(join(distDir, 'assets'), {
    immutable: true, maxAge: '365d', index: false, redirect: false, fallthrough: true,
  }));
  // A missing asset is a 404, never the shell: HTML answered for a script fails in a confusing way.
  router.use('/assets', (_req, _res, next) => next(new AppError('not_found', 'No such asset: an old page may need a reload.')));

  // A middleware rather than a route: pages are not API routes, and the route walk of the OpenAPI
  // coverage test (every route documented) covers the API surfaces only.
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    if (!existsSync(shell)) {
      next(new AppError('unavailable', 'The web app is not built: run `npm run build:web`.'));
      return;
    }
    res.sendFile(shell, {
      headers: { 'Cache-Control': 'no-cache', 'Content-Security-Policy': SHELL_CSP },
    });
  });
  return router;
}
