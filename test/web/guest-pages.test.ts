import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { guestEnv, guestVenue } from '../guests/guest-helpers';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The guests' pages as HTTP (src/surfaces/web/guest-pages.ts; what they draw is the browser tests'): the widget may be
 * framed by any site, or only by the venue's `allowed_origins` once set; the manage page by no other site;
 * /widget.js loads from anywhere and stays a few KB.
 */
describe('the guest pages over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(guestEnv({ ROLE: 'api' }));
  });
  afterAll(() => t.stop());

  const frameAncestors = (csp: string | undefined) => /frame-ancestors ([^;]+)/.exec(csp ?? '')?.[1];

  it('frames /widget/:slug anywhere, or only at allowed_origins; /manage/:token only on its own origin', async () => {
    const open = await guestVenue(t);
    const page = await t.http.get(`/widget/${open.slug}`).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<main id="root">');
    expect(frameAncestors(page.headers['content-security-policy'])).toBe('*');
    expect(page.headers['x-frame-options']).toBeUndefined();

    const fenced = await guestVenue(t);
    await t.admin('patch', `/admin/v1/venues/${fenced.id}`).send({ settings: { allowed_origins: ['https://fenced.example', 'https://www.fenced.example'] } }).expect(200);
    const fencedPage = await t.http.get(`/widget/${fenced.slug}`).expect(200);
    expect(frameAncestors(fencedPage.headers['content-security-policy'])).toBe("'self' https://fenced.example https://www.fenced.example");

    const manage = await t.http.get(`/manage/${'z'.repeat(32)}`).expect(200);
    expect(frameAncestors(manage.headers['content-security-policy'])).toBe("'self'");
    expect(manage.headers['x-frame-options']).toBe('SAMEORIGIN');
    // The page is the same shell for any token: whether it opens a booking is the API's 404, never a page that says which.
    expect(manage.text).toBe(page.text);
  });

  it('serves /widget.js to any site: JavaScript, cross-origin, under 4 KB, the file in web/embed', async () => {
    const res = await t.http.get('/widget.js').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/javascript/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.text).toBe(readFileSync(join(__dirname, '../../web/embed/widget.js'), 'utf8'));
    expect(Buffer.byteLength(res.text)).toBeLessThan(4096);
  });
});
