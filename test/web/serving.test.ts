import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { webBuildIsStale } from '../../scripts/web-build';
import { WEB_DIST_DIR } from '../../src/surfaces/web/web-app';
import { startTestApp, type TestApp } from '../helpers/test-app';

// The jest global setup builds web/dist when it is missing or stale (scripts/web-build.ts).
describe('the web app at /app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const assetOfShell = (html: string): string => {
    const m = /src="(\/app\/assets\/[^"]+\.js)"/.exec(html);
    if (!m) throw new Error(`no script asset in the shell:\n${html}`);
    return m[1]!;
  };

  it('is built from the current sources', () => {
    expect(webBuildIsStale()).toBe(false);
  });

  it('serves the shell at /app and /app/ with no-cache and a same-origin CSP', async () => {
    for (const path of ['/app', '/app/']) {
      const res = await t.http.get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.text).toBe(readFileSync(join(WEB_DIST_DIR, 'index.html'), 'utf8'));
    }
  });

  it('answers unknown /app paths with the shell, so the client router draws them', async () => {
    const shell = (await t.http.get('/app')).text;
    for (const path of ['/app/diary', '/app/settings/api-keys?x=1', '/app/no/such/page']) {
      const res = await t.http.get(path);
      expect(res.status).toBe(200);
      expect(res.text).toBe(shell);
    }
  });

  it('serves hashed assets bundled from npm with a year of immutable caching', async () => {
    const shell = (await t.http.get('/app')).text;
    // No CDN: every script and stylesheet the shell names is one of ours.
    expect(shell).not.toMatch(/(src|href)="https?:/);
    const asset = assetOfShell(shell);
    expect(asset).toMatch(/-[A-Za-z0-9_-]{8}\.js$/);
    const res = await t.http.get(asset);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers a missing asset with a 404 envelope, not the shell', async () => {
    const res = await t.http.get('/app/assets/index-missing0.js');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('keeps the pages out of the OpenAPI document', async () => {
    const doc = (await t.http.get('/api/v1/openapi')).body;
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/app'))).toEqual([]);
  });
});
