import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createOwnDatabase } from '../outbound/outbound-helpers';
import { startTestApp, type TestApp } from './test-app';

/**
 * Browser tests in real headless Chromium: Debian's /usr/bin/chromium (scripts/services.sh installs it)
 * driven by playwright-core, against the real app listening on 127.0.0.1. Every console error and
 * uncaught page error fails the test it happened in (afterEach), unless the test said it expects it.
 * So does any request a page makes to `/api/` or `/admin/` that is not an operation of the served
 * OpenAPI document (`GET /api/v1/openapi`): the pages read the documented API only (CONTRACT §9).
 */

export const CHROMIUM = '/usr/bin/chromium';

// Headless in a sandboxless container on a closed network: no GPU, no QUIC, and none of Chromium's own
// background traffic (its connections would be refused, many at a time).
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Every Playwright wait and navigation of a test page gives up after this long. */
export const PAGE_TIMEOUT_MS = 30_000;

export const TABLET = { width: 1024, height: 768 } as const;
export const PHONE = { width: 390, height: 844 } as const;

export const SCREENSHOT_DIR = join(tmpdir(), 'tablesync-screenshots');

export interface BrowserApp {
  /** The composed app (admin helper, deps) the browser talks to. */
  readonly t: TestApp;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** A page in a fresh browser context (its own cookies), sized like a host-stand tablet by default. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Saves a PNG under SCREENSHOT_DIR (to look at) and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  /** The current test expects a console error matching this (e.g. a 401 the page shows as a message). */
  expectConsoleError(pattern: RegExp): void;
}

/** A documented operation as a matcher: `GET /api/v1/bookings/{id}` → GET and `^/api/v1/bookings/[^/]+$`. */
interface DocumentedOperation {
  method: string;
  template: string;
  pattern: RegExp;
}

export function documentedOperations(document: { paths?: Record<string, Record<string, unknown>> }): DocumentedOperation[] {
  const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
  return Object.entries(document.paths ?? {}).flatMap(([template, item]) => {
    const source = template.split(/\{[^}/]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+');
    const pattern = new RegExp(`^${source}$`);
    return Object.keys(item).filter((m) => methods.has(m)).map((m) => ({ method: m.toUpperCase(), template, pattern }));
  });
}

/** The requests (`METHOD /path`, no query) that no documented operation matches. */
export function undocumentedRequests(requests: Iterable<string>, operations: readonly DocumentedOperation[]): string[] {
  return [...new Set(requests)].filter((r) => {
    const [method, path] = r.split(' ', 2);
    return !operations.some((op) => op.method === method && op.pattern.test(path));
  });
}

interface Handle extends BrowserApp {
  t: TestApp;
  baseUrl: string;
}

/** Registers beforeAll/afterEach/afterAll hooks and returns the handle they fill in. */
export function useBrowserApp(overrides: Record<string, string> = {}): BrowserApp {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let errors: string[] = [];
  let expected: RegExp[] = [];
  // Every `METHOD /path` a page of this test sent to the API surfaces (the app's own calls, and any a test made from a page).
  let apiRequests: string[] = [];
  let operations: DocumentedOperation[] | undefined;

  const handle = {
    async newPage(viewport: { width: number; height: number } = TABLET) {
      const context = await browser!.newContext({ baseURL: handle.baseUrl, viewport });
      // Stated, not left to the library's default: no locator action, wait or navigation waits for ever. (Key
      // presses and `evaluate` have no timeout of their own: they wait for the page to handle them, for ever if
      // its main thread never comes back; a long test wraps its steps in `step`, test/helpers/wait-for.ts.)
      context.setDefaultTimeout(PAGE_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
      context.on('request', (req) => {
        const url = new URL(req.url());
        if (url.origin === handle.baseUrl && /^\/(api|admin)\//.test(url.pathname)) {
          apiRequests.push(`${req.method()} ${url.pathname}`);
        }
      });
      const page = await context.newPage();
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${msg.location().url})`);
      });
      page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
      return page;
    },
    async screenshot(page: Page, name: string) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    expectConsoleError(pattern: RegExp) {
      expected.push(pattern);
    },
  } as Handle;

  let db: { url: string; drop: () => Promise<void> } | undefined;

  beforeAll(async () => {
    // A database of its own: the app's outbox relay must be the one that relays its rows. On the run's
    // shared database another file's app (ROLE=all, its own Redis prefix) could claim them and publish
    // them to its own live channel, and the page would never see the change (outbound-helpers.ts).
    db = await createOwnDatabase();
    handle.t = await startTestApp({ DATABASE_URL: db.url, ...overrides });
    const listening = createServer(handle.t.composed.app!);
    server = listening;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(0, '127.0.0.1', () => resolve());
    });
    handle.baseUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    // Playwright starts Chromium with a fresh temporary --user-data-dir of its own and removes it on close.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);

  afterEach(async () => {
    const unexpected = errors.filter((e) => !expected.some((p) => p.test(e)));
    const requests = apiRequests;
    errors = [];
    expected = [];
    apiRequests = [];
    if (unexpected.length) throw new Error(`console errors in the browser:\n${unexpected.join('\n')}`);
    if (requests.length === 0) return;
    if (!operations) {
      const res = await fetch(`${handle.baseUrl}/api/v1/openapi`);
      if (!res.ok) throw new Error(`GET /api/v1/openapi answered ${res.status}`);
      operations = documentedOperations((await res.json()) as { paths?: Record<string, Record<string, unknown>> });
    }
    const undocumented = undocumentedRequests(requests, operations);
    if (undocumented.length) {
      throw new Error(`the pages called routes the OpenAPI document does not have:\n${undocumented.join('\n')}`);
    }
  });

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await handle.t?.stop();
    await db?.drop();
  }, 60_000);

  return handle;
}
