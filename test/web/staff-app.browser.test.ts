/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { createVenue } from '../helpers/fixtures';
import { PHONE, useBrowserApp } from '../helpers/browser';
import { createUser, PASSWORD } from '../helpers/people';

/** The staff web app in real Chromium: sign-in, the shell, API keys through the UI, phone layout. */
describe('the venue web app (/app) in Chromium', () => {
  const b = useBrowserApp();

  const signInThroughTheForm = async (page: Page, email: string) => {
    await page.goto('/app');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  };

  it('signs in, shows the shell, creates and revokes an API key, and signs out', async () => {
    const venue = await createVenue(b.t, { name: 'The Anchor' });
    const owner = await createUser(b.t, venue.id, 'owner');
    const page = await b.newPage();

    await page.goto('/app/diary');
    await page.getByRole('heading', { name: 'Tablesync' }).waitFor();
    await b.screenshot(page, 'sign-in-tablet');
    await signInThroughTheForm(page, owner.email);
    await page.getByText('The Anchor').waitFor();
    for (const name of ['Diary', 'Bookings', 'Customers', 'Analytics', 'Settings']) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).waitFor();
    }
    await page.getByText(/No bookings on .* yet/).waitFor();
    await b.screenshot(page, 'diary-empty-tablet');

    // Settings → API keys, by keyboard-reachable links.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('No active keys yet.').waitFor();
    await page.getByLabel('Name').fill('Website widget');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByLabel('New API key');
    await shown.waitFor();
    const key = await shown.inputValue();
    expect(key).toMatch(/^ts_live_/);
    await b.screenshot(page, 'api-key-created-tablet');

    // The key the page showed works against the API, as an integrator would use it.
    expect((await b.t.http.get('/api/v1/venue').set('Authorization', `Bearer ${key}`)).status).toBe(200);

    await page.getByRole('button', { name: 'I have stored it' }).click();
    await expect(page.getByLabel('New API key').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Revoke Website widget' }).click();
    await page.getByRole('button', { name: 'Revoke Website widget now' }).click();
    await page.getByText('No active keys yet.').waitFor();
    expect((await b.t.http.get('/api/v1/venue').set('Authorization', `Bearer ${key}`)).status).toBe(401);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // Signed out for real: a reload stays on the sign-in form.
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('works at 390×844: navigation reachable, people listed, nothing wider than the screen', async () => {
    const venue = await createVenue(b.t, { name: 'The Phone Bar' });
    const owner = await createUser(b.t, venue.id, 'owner');
    await createUser(b.t, venue.id, 'host');
    const page = await b.newPage(PHONE);
    await signInThroughTheForm(page, owner.email);
    await page.goto('/app/settings/people');
    await page.getByRole('list', { name: 'People' }).getByText('A host').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await b.screenshot(page, 'people-phone');

    // The keyboard reaches the main navigation from the top of the page.
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab'); // sign out
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Diary');
  });

  it('shows a wrong password as a message on the form', async () => {
    const venue = await createVenue(b.t);
    const host = await createUser(b.t, venue.id, 'host');
    const page = await b.newPage();
    await page.goto('/app');
    await page.getByLabel('Email').fill(host.email);
    await page.getByLabel('Password').fill('not the password');
    b.expectConsoleError(/status of 401/); // Chromium logs every 4xx fetch; the page itself shows it below.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('do not match').waitFor();
  });
});
