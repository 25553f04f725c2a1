/// <reference lib="dom" />
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { PHONE, useBrowserApp } from '../helpers/browser';
import { createApiKey, createVenue } from '../helpers/fixtures';
import { createUser, PASSWORD } from '../helpers/people';
import { waitFor } from '../helpers/wait-for';

/** Bookings, customers and settings pages in Chromium, as the roles of §8 see them. */
describe('the bookings, customers and settings pages in Chromium', () => {
  const b = useBrowserApp();

  const signIn = async (page: Page, email: string, path: string) => {
    await page.goto(path);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  };

  /** The name of the focused element: its aria-label, its label's text, or its own text. */
  const focusedName = (page: Page) => page.evaluate(() => {
    const el = document.activeElement as HTMLElement & { labels?: NodeListOf<HTMLLabelElement> | null };
    return (el?.getAttribute('aria-label') ?? el?.labels?.[0]?.textContent ?? el?.textContent ?? '').trim();
  });

  /** Presses Tab (and nothing else) until the element called `name` has the focus. */
  const tabTo = async (page: Page, name: string, max = 60) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if ((await focusedName(page)) === name) return;
    }
    throw new Error(`${max} presses of Tab never reached “${name}”`);
  };

  it('filters bookings by status and search, and opens a guest profile with history and spend', async () => {
    const venue = await createVenue(b.t, { name: 'The Ledger' });
    const key = await createApiKey(b.t, venue.id);
    const date = DateTime.now().setZone('Europe/London').plus({ days: 2 }).toISODate()!;
    const made: Record<string, string> = {};
    for (const [time, name, email] of [['18:00', 'Mary Somerville', 'mary@example.com'], ['19:00', 'John Snow', 'john@example.com']] as const) {
      const res = await b.t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${key}`).send({ date, time, party_size: 2, customer_name: name, email });
      expect(res.status).toBe(201);
      made[name] = res.body.id;
    }
    await b.t.http.patch(`/api/v1/bookings/${made['John Snow']}`).set('Authorization', `Bearer ${key}`).send({ status: 'cancelled' }).expect(200);
    const host = await createUser(b.t, venue.id, 'host');
    const page = await b.newPage();
    await signIn(page, host.email, `/app/bookings?from=${date}&to=${date}`);

    const table = page.locator('.booking-table');
    await table.getByRole('button', { name: 'Mary Somerville' }).waitFor();
    await table.getByRole('button', { name: 'John Snow' }).waitFor();
    await page.getByLabel('Status').selectOption('cancelled');
    await page.getByText('1 booking · 2 covers').waitFor();
    await expect(table.getByRole('button', { name: 'Mary Somerville' }).count()).resolves.toBe(0);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Search', { exact: true }).fill('mary@');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(table.getByRole('button', { name: 'John Snow' }).count()).resolves.toBe(0);
    await table.getByRole('button', { name: 'Mary Somerville' }).waitFor();
    await b.screenshot(page, 'bookings-tablet');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
    await page.getByLabel('Search', { exact: true }).fill('Somer');
    await page.getByRole('link', { name: 'Mary Somerville' }).waitFor();
    // By keyboard only: Tab from the search field to the guest's link, Enter opens the profile.
    await tabTo(page, 'Mary Somerville');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Mary Somerville' }).waitFor();
    await page.waitForURL(/\/app\/customers\/[^/?]+$/);
    await page.getByRole('table', { name: 'Upcoming bookings' }).getByText('Confirmed').waitFor();
    await page.locator('.kpi', { hasText: 'spent' }).getByText('£0.00').waitFor();
  });

  it('pages through the customers with Show more (next_cursor) and starts again from the first page when the search changes', async () => {
    const venue = await createVenue(b.t, { name: 'The Crowd' });
    const key = await createApiKey(b.t, venue.id);
    const names = Array.from({ length: 53 }, (_, i) => `Guest ${String(i + 1).padStart(2, '0')}`);
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(names.slice(i, i + 10).map((name) =>
        b.t.http.post('/api/v1/customers').set('Authorization', `Bearer ${key}`).send({ name, email: `${name.replace(' ', '').toLowerCase()}@example.com` }).expect(201)));
    }
    const host = await createUser(b.t, venue.id, 'host');
    const page = await b.newPage();
    await signIn(page, host.email, '/app/customers');
    const rows = page.getByRole('list', { name: 'Customers' }).getByRole('listitem');
    await page.getByRole('link', { name: 'Guest 50' }).waitFor();
    await expect(rows.count()).resolves.toBe(50);
    await page.getByRole('button', { name: 'Show more' }).click();
    await page.getByRole('link', { name: 'Guest 53' }).waitFor();
    await expect(rows.count()).resolves.toBe(53);
    await expect(rows.allTextContents()).resolves.toEqual(names.map((n) => expect.stringContaining(n)));
    await expect(page.getByRole('button', { name: 'Show more' }).count()).resolves.toBe(0);
    await page.getByLabel('Search', { exact: true }).fill('guest07@');
    await page.waitForURL(/q=guest07/);
    await waitFor(async () => (await rows.count()) === 1, { what: 'the one match' });
    await page.getByRole('link', { name: 'Guest 07' }).waitFor();
    await page.getByLabel('Search', { exact: true }).fill('nobody-here');
    await page.getByText('No customer matches “nobody-here”.', { exact: false }).waitFor();
    // 53 customers made over HTTP, then a page walk: well past jest's 30 s default on a loaded machine.
  }, 90_000);

  it('shows analytics as charts and a table (or says the server has none yet)', async () => {
    const venue = await createVenue(b.t, { name: 'The Figures' });
    const key = await createApiKey(b.t, venue.id);
    const date = DateTime.now().setZone('Europe/London').plus({ days: 1 }).toISODate()!;
    await b.t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${key}`).send({ date, time: '19:00', party_size: 3, customer_name: 'Ada' }).expect(201);
    const manager = await createUser(b.t, venue.id, 'manager');
    const page = await b.newPage();
    await signIn(page, manager.email, `/app/analytics?from=${date}&to=${date}&group_by=day`);
    const doc = await b.t.http.get('/api/v1/openapi');
    if (doc.body.paths['/api/v1/analytics']?.get) {
      // The §9.1 figures of the day: one booking of three covers, no sales.
      const table = page.locator('.analytics-table');
      await table.locator('tfoot').getByRole('cell', { name: '3', exact: true }).first().waitFor();
      await page.locator('.kpi', { hasText: 'covers' }).getByText('3').waitFor();
    } else {
      await page.getByText(/Analytics is not available on this server yet/).waitFor();
    }
    await page.getByLabel('Group by').selectOption('weekday');
    await page.waitForURL(/group_by=weekday/);
    await b.screenshot(page, 'analytics-tablet');

    // By keyboard only: from the top of the page, Tab to the “7 days” quick range and press Enter; the
    // range becomes the venue's last seven days (today and the six before).
    await page.locator('body').evaluate((el) => { el.setAttribute('tabindex', '-1'); el.focus(); el.removeAttribute('tabindex'); });
    await tabTo(page, '7 days');
    await page.keyboard.press('Enter');
    const today = DateTime.now().setZone('Europe/London').toISODate()!;
    const weekAgo = DateTime.fromISO(today).minus({ days: 6 }).toISODate()!;
    await page.waitForURL((url) => url.searchParams.get('from') === weekAgo && url.searchParams.get('to') === today);
    await expect(page.getByLabel('From').inputValue()).resolves.toBe(weekAgo);
    await expect(page.getByLabel('Group by').inputValue()).resolves.toBe('weekday');
  });

  it('changes a venue setting through the form (or says the server has no settings yet)', async () => {
    const venue = await createVenue(b.t, { name: 'The Rules' });
    const key = await createApiKey(b.t, venue.id);
    const manager = await createUser(b.t, venue.id, 'manager');
    const page = await b.newPage();
    await signIn(page, manager.email, '/app/settings/venue');
    const before = (await b.t.http.get('/api/v1/venue').set('Authorization', `Bearer ${key}`)).body;
    if (before.settings) {
      const label = 'Guests may change or cancel until (hours before)';
      const field = page.getByLabel(label);
      await expect(field.inputValue()).resolves.toBe(String(before.settings.cancellation_hours));
      // By keyboard only: Tab to the field, replace its value, Tab on to the save button and press Enter.
      await tabTo(page, label);
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type('6');
      await tabTo(page, 'Save 1 change');
      await page.keyboard.press('Enter');
      await page.getByText('Saved 1 change.').waitFor();
      const after = (await b.t.http.get('/api/v1/venue').set('Authorization', `Bearer ${key}`)).body;
      expect(after.settings.cancellation_hours).toBe(6);
      expect({ ...after.settings, cancellation_hours: before.settings.cancellation_hours }).toEqual(before.settings);
    } else {
      await page.getByText(/does not have venue settings yet/).waitFor();
    }
    await b.screenshot(page, 'settings-venue-tablet');
  });

  it('lets a manager add a webhook (secret shown once) and delete it; a host sees neither keys nor webhooks', async () => {
    const venue = await createVenue(b.t, { name: 'The Hook' });
    const manager = await createUser(b.t, venue.id, 'manager');
    const page = await b.newPage(PHONE);
    await signIn(page, manager.email, '/app/settings/webhooks');
    await page.getByText('No webhooks yet.').waitFor();
    await page.getByLabel('URL').fill('http://127.0.0.1:9/hooks');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const secret = await page.getByLabel('Signing secret').inputValue();
    expect(secret.length).toBeGreaterThan(16);
    const list = page.getByRole('list', { name: 'Webhooks' });
    await list.getByText('every event').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await b.screenshot(page, 'settings-webhooks-phone');
    await list.getByRole('button', { name: 'Deliveries' }).click();
    await page.getByText(/Nothing delivered yet/).waitFor();
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await expect(page.getByLabel('Signing secret').count()).resolves.toBe(0);
    await list.getByRole('button', { name: /^Delete the webhook/ }).click();
    await list.getByRole('button', { name: 'Delete now' }).click();
    await page.getByText('No webhooks yet.').waitFor();

    const host = await createUser(b.t, venue.id, 'host');
    const hostPage = await b.newPage();
    await signIn(hostPage, host.email, '/app/settings');
    const tabs = hostPage.getByRole('navigation', { name: 'Settings' });
    await tabs.getByRole('link', { name: 'Venue' }).waitFor();
    await expect(tabs.getByRole('link').allTextContents()).resolves.toEqual(['Venue', 'Emails']);
  });

  it('lists the venue\'s emails in settings (kept without SMTP_URL): kind, to, status, time in the venue\'s zone; an empty venue says so', async () => {
    // Tokyo (UTC+9, no summer time) is not the browser's zone, so a time in the wrong zone shows.
    const venue = await createVenue(b.t, { name: 'The Letterbox', timezone: 'Asia/Tokyo', country: 'JP', currency: 'JPY' });
    const key = await createApiKey(b.t, venue.id);
    const date = DateTime.now().setZone('Asia/Tokyo').plus({ days: 2 }).toISODate()!;
    const made = await b.t.http.post('/api/v1/bookings').set('Authorization', `Bearer ${key}`)
      .send({ date, time: '19:00', party_size: 2, customer_name: 'Sei Shonagon', email: 'sei@example.com' }).expect(201);
    const email = await waitFor(async () => (await b.t.http.get('/api/v1/emails').set('Authorization', `Bearer ${key}`)).body.data?.[0], { what: 'the kept email' });
    expect(email).toMatchObject({ status: 'kept', kind: 'booking_confirmed', to: 'sei@example.com' });
    // Japan's clock is 24 h with the hour unpadded (0:03), so the cell is matched as H:mm with an optional 0.
    const localTime = DateTime.fromISO(email.created_at).setZone('Asia/Tokyo');
    expect(localTime.toFormat('HH:mm')).not.toBe(DateTime.fromISO(email.created_at).setZone('UTC').toFormat('HH:mm'));

    const host = await createUser(b.t, venue.id, 'host');
    const page = await b.newPage();
    await signIn(page, host.email, '/app/settings');
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Emails' }).click();
    await page.waitForURL(/\/app\/settings\/emails$/);
    const table = page.getByRole('table', { name: 'Emails' });
    const row = table.getByRole('row').filter({ hasText: 'sei@example.com' });
    await row.waitFor();
    await expect(row.getByRole('cell').allTextContents()).resolves.toEqual([
      expect.stringMatching(new RegExp(`\\b0?${localTime.toFormat('H:mm')}\\b`)), 'Booking confirmed', 'sei@example.com', 'kept', '0', 'Show',
    ]);
    await row.getByRole('button', { name: /^Show the email to sei@example.com/ }).click();
    await page.getByText(made.body.manage_url).waitFor();
    await b.screenshot(page, 'settings-emails-tablet');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No failed emails.').waitFor();

    const quiet = await createVenue(b.t, { name: 'The Quiet One' });
    const manager = await createUser(b.t, quiet.id, 'manager');
    const other = await b.newPage(PHONE);
    await signIn(other, manager.email, '/app/settings/emails');
    await other.getByText(/No emails yet/).waitFor();
    await expect(other.getByText('sei@example.com').count()).resolves.toBe(0);
  });
});
