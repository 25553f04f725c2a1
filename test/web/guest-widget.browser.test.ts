/// <reference lib="dom" />
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { PHONE, TABLET, useBrowserApp } from '../helpers/browser';
import { createApiKey, createVenue } from '../helpers/fixtures';
import { waitFor } from '../helpers/wait-for';

const TZ = 'Europe/London';
const ahead = (days: number) => DateTime.now().setZone(TZ).plus({ days }).toISODate()!;

/** The guests' pages in real Chromium (CONTRACT §10): book on a phone, cancel on the manage page, keyboard only, the embed. */
describe('the booking widget and the manage page in Chromium', () => {
  const b = useBrowserApp({ PUBLIC_RATE_LIMIT_PER_MINUTE: '100000' });

  /** Shows the month holding `date` in the widget's calendar. */
  async function showMonthOf(page: Page, date: string) {
    for (let i = 0; i < 3; i++) {
      if (await page.locator(`[data-date="${date}"]`).count()) return;
      await page.getByRole('button', { name: 'Next month' }).click();
    }
  }

  it('books on a phone (party → date → time → details → confirmation, .ics), then cancels on the manage page', async () => {
    const venue = await createVenue(b.t, { name: 'The Anchor', settings: { policies_text: 'Tables are kept for 15 minutes.', theme: { accent: '#7a1f5c' } } });
    const key = await createApiKey(b.t, venue.id);
    const page = await b.newPage(PHONE);
    await page.goto(`/widget/${venue.body.slug}`);
    await page.getByRole('heading', { name: 'The Anchor' }).waitFor();
    await page.getByRole('heading', { name: 'How many people?' }).waitFor();
    await b.screenshot(page, 'widget-1-party-phone');
    await page.getByRole('group', { name: 'Party size' }).getByRole('button', { name: '2', exact: true }).click();

    await page.getByRole('heading', { name: 'Choose a date' }).waitFor();
    const date = ahead(2);
    await showMonthOf(page, date);
    const day = page.locator(`[data-date="${date}"]`);
    await page.locator('.day.open').first().waitFor();
    await b.screenshot(page, 'widget-2-date-phone');
    await day.click();

    await page.getByRole('heading', { name: /^Choose a time on/ }).waitFor();
    await b.screenshot(page, 'widget-3-time-phone');
    await page.getByRole('group', { name: 'Time' }).getByRole('button', { name: '19:00' }).click();

    await page.getByRole('heading', { name: 'Your details' }).waitFor();
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Phone').fill('07911 123456');
    await page.getByText('Tables are kept for 15 minutes.').waitFor();
    // The honeypot: in the form for bots, out of sight (off-screen), of assistive technology and of the tab order.
    const honeypot = page.locator('form input[name="website"]');
    expect(await honeypot.count()).toBe(1);
    expect(await honeypot.getAttribute('tabindex')).toBe('-1');
    expect(await page.locator('[aria-hidden="true"] > input[name="website"]').count()).toBe(1);
    expect((await honeypot.boundingBox())!.x).toBeLessThan(-1000);
    expect(await page.getByRole('textbox', { name: 'Website' }).count()).toBe(0);
    // Themed by theme.accent: the primary button in the venue's colour, its text in the one that contrasts (white here).
    const bookButton = page.getByRole('button', { name: /^Book for 2 guests/ });
    expect(await bookButton.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color])).toEqual(['rgb(122, 31, 92)', 'rgb(255, 255, 255)']);
    await b.screenshot(page, 'widget-4-details-phone');
    await page.getByRole('button', { name: /^Book for 2 guests/ }).click();

    await page.getByRole('heading', { name: 'You are booked' }).waitFor();
    const reference = (await page.locator('.reference').textContent())!;
    expect(reference).toMatch(/^TS-[0-9A-Z]{6}$/);
    await b.screenshot(page, 'widget-5-confirmation-phone');

    // The booking is real, from the widget, at 19:00 on that date.
    const listed = await b.t.http.get(`/api/v1/bookings?date=${date}`).set('Authorization', `Bearer ${key}`);
    expect(listed.body.data).toEqual([expect.objectContaining({ reference, time: '19:00', party_size: 2, source: 'widget' })]);

    // The calendar link is an .ics of it.
    const ics = await page.request.get((await page.getByRole('link', { name: 'Add to calendar' }).getAttribute('href'))!);
    expect(ics.headers()['content-type']).toMatch(/^text\/calendar/);
    expect(await ics.text()).toContain(`UID:${reference}@tablesync`);

    // The manage page (the link opens in a new tab; here it is followed in the same one).
    const manageHref = (await page.getByRole('link', { name: 'View or change your booking' }).getAttribute('href'))!;
    await page.goto(new URL(manageHref).pathname);
    await page.getByText(`Your booking ${reference}`).waitFor();
    await page.getByText('Confirmed').waitFor();
    await b.screenshot(page, 'manage-1-view-phone');
    await page.getByRole('button', { name: 'Cancel booking' }).click();
    await page.getByRole('heading', { name: 'Cancel this booking?' }).waitFor();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByText('Your booking is cancelled.').waitFor();
    await page.locator('.status-cancelled').waitFor();
    await b.screenshot(page, 'manage-2-cancelled-phone');
    const after = await b.t.http.get(`/api/v1/bookings?date=${date}`).set('Authorization', `Bearer ${key}`);
    expect(after.body.data[0].status).toBe('cancelled');
    await page.reload();
    await page.locator('.status-cancelled').waitFor();
  }, 60_000);

  it('books with the keyboard alone, and moves the booking on the manage page', async () => {
    const venue = await createVenue(b.t, { name: 'Keyboard Kitchen' });
    const key = await createApiKey(b.t, venue.id);
    const page = await b.newPage(TABLET);
    await page.goto(`/widget/${venue.body.slug}`);
    await page.getByRole('heading', { name: 'How many people?' }).waitFor();
    const focused = () => page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el ? `${el.tagName.toLowerCase()} ${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}` : '';
    });
    const tabTo = async (pattern: RegExp, max = 40) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        if (pattern.test(await focused())) return;
      }
      throw new Error(`Tab never reached ${pattern} (last: ${await focused()})`);
    };

    await tabTo(/^button 3$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Choose a date' }).waitFor();
    await page.locator('.day.open').first().waitFor();
    // Into the grid, then arrows to a date two days ahead, Enter.
    await tabTo(/^button \w+day, /);
    const date = ahead(2);
    const focusedDate = () => page.evaluate(() => (document.activeElement as HTMLElement).dataset.date ?? '');
    for (let i = 0; i < 40; i++) {
      const current = await focusedDate();
      if (current === date) break;
      await page.keyboard.press(current < date ? 'ArrowRight' : 'ArrowLeft');
      // Focus moves with the grid's redraw: wait for it, or a busy machine reads the old day and overshoots.
      await page.waitForFunction((was) => ((document.activeElement as HTMLElement).dataset.date ?? '') !== was, current);
    }
    expect(await focusedDate()).toBe(date);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^Choose a time on/ }).waitFor();
    await tabTo(/^button 20:00$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your details' }).waitFor();
    await page.evaluate(() => document.querySelector('input[name="website"]')!.addEventListener('focus', () => { document.body.dataset.honeypotFocused = 'yes'; }));
    await tabTo(/^input/);
    await page.keyboard.type('Kay Board');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kay@example.com');
    await tabTo(/^button Book for 3 guests/);
    // The honeypot is never in the tab order.
    expect(await page.evaluate(() => document.body.dataset.honeypotFocused ?? 'no')).toBe('no');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'You are booked' }).waitFor();
    await b.screenshot(page, 'widget-keyboard-confirmation-desktop');
    const reference = (await page.locator('.reference').textContent())!;
    const booking = (await b.t.http.get(`/api/v1/bookings?date=${date}`).set('Authorization', `Bearer ${key}`)).body.data[0];
    expect(booking).toMatchObject({ reference, time: '20:00', party_size: 3, customer: { name: 'Kay Board', email: 'kay@example.com' } });

    // Move it to 21:00 on the manage page, by keyboard too.
    const manageHref = (await page.getByRole('link', { name: 'View or change your booking' }).getAttribute('href'))!;
    await page.goto(new URL(manageHref).pathname);
    await page.getByRole('button', { name: 'Change booking' }).waitFor();
    await tabTo(/^button Change booking$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Change your booking' }).waitFor();
    await page.locator('#m-time option', { hasText: '21:00' }).waitFor({ state: 'attached' });
    await page.getByLabel('Time').selectOption('21:00');
    await b.screenshot(page, 'manage-change-desktop');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Your booking has changed.').waitFor();
    const moved = (await b.t.http.get(`/api/v1/bookings/${booking.id}`).set('Authorization', `Bearer ${key}`)).body;
    expect(moved.time).toBe('21:00');
  }, 90_000);

  describe('widget.js on a venue\'s own site', () => {
    let site: Server;
    let siteUrl: string;
    beforeAll(async () => {
      site = createServer((req, res) => {
        const slug = new URL(req.url ?? '/', 'http://x').searchParams.get('venue') ?? '';
        res.setHeader('Content-Type', 'text/html');
        res.end(`<!doctype html><html><head><title>The venue's site</title></head><body><h1>Welcome</h1>
          <script src="${b.baseUrl}/widget.js" data-venue="${slug}"></script><p>Footer</p></body></html>`);
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', () => resolve()));
      // Another origin than the app's (another port).
      siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      site.closeAllConnections();
      await new Promise<void>((resolve) => site.close(() => resolve()));
    });

    it('mounts the widget in an iframe that takes its content\'s height', async () => {
      const venue = await createVenue(b.t, { name: 'Embedded Bistro' });
      const page = await b.newPage(PHONE);
      await page.goto(`${siteUrl}/?venue=${venue.body.slug}`);
      await page.locator('iframe[title="Book a table"]').waitFor();
      const frame = await waitFor(async () => page.frames().find((f) => f.url().includes('/widget/')), { what: 'the widget frame' });
      await frame.getByRole('heading', { name: 'Embedded Bistro' }).waitFor();
      await frame.getByRole('heading', { name: 'How many people?' }).waitFor();
      await page.waitForFunction(() => parseFloat(document.querySelector('iframe')!.style.height) !== 560);
      const before = parseFloat(await page.evaluate(() => document.querySelector('iframe')!.style.height));
      // Pressed, not clicked: playwright-core's click into a child frame hangs with Debian's Chromium here.
      await frame.getByRole('group', { name: 'Party size' }).getByRole('button', { name: '2', exact: true }).press('Enter');
      await frame.locator('.day.open').first().waitFor();
      // The iframe follows its content: as tall as the widget's page, whatever that is now.
      await page.waitForFunction(() => {
        const h = parseFloat(document.querySelector('iframe')!.style.height);
        return h > 500;
      });
      const inner = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
      expect(Math.abs(parseFloat(await page.evaluate(() => document.querySelector('iframe')!.style.height)) - inner)).toBeLessThanOrEqual(2);
      // The calendar is taller than the party step: the iframe grew with it.
      expect(parseFloat(await page.evaluate(() => document.querySelector('iframe')!.style.height))).toBeGreaterThan(before);
      // Only its own frame's messages from its own origin count: the host page posting one itself changes nothing.
      const height = await page.evaluate(() => document.querySelector('iframe')!.style.height);
      await page.evaluate(() => window.postMessage({ type: 'tablesync:widget-height', height: 4321 }, '*'));
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => document.querySelector('iframe')!.style.height)).toBe(height);
      await b.screenshot(page, 'widget-embedded-phone');
      const script = await page.request.get(`${b.baseUrl}/widget.js`);
      expect(script.headers()['content-type']).toMatch(/javascript/);
      expect((await script.body()).length).toBeLessThan(4096);
    }, 60_000);
  });
});
