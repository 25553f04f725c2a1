/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { InboundEvent } from '../../src/platform/db/entities';
import { PHONE, useBrowserApp } from '../helpers/browser';
import { createVenue } from '../helpers/fixtures';
import { createTestPartner, insertBooking, linkLocation, localIso, putMapping, SALE_MAPPING, saleEvent, signedPost, waitForEvent } from '../helpers/partner';
import { PASSWORD } from '../helpers/people';
import { uniq } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

/**
 * The partner console (CONTRACT §13) in real Chromium: an operator signs in, edits a mapping and sees the
 * output (and the booking it would match) change as they type, sees a compile error marked, saves, replays
 * the failures after a dry-run count, and sees them processed.
 */
describe('the partner console (/app/partners) in Chromium', () => {
  const b = useBrowserApp();

  const operator = async (): Promise<string> => {
    const email = `${uniq('ops')}@example.com`;
    const res = await b.t.admin('post', '/admin/v1/operators').send({ email, name: 'Pat Partners', password: PASSWORD });
    if (res.status !== 201) throw new Error(`operator create failed: ${res.status}`);
    return email;
  };
  /**
   * A console page that reports every Content-Security-Policy violation (a blocked style attribute, inline
   * style or script, in the document or the editor's shadow root) as a console error, which fails the test.
   */
  const consolePage = async (viewport?: { width: number; height: number }): Promise<Page> => {
    const page = await b.newPage(viewport);
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        const el = e.target instanceof Element ? `<${e.target.localName} class="${e.target.getAttribute('class') ?? ''}">` : String(e.target);
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} on ${el} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`);
      }, true);
    });
    return page;
  };
  const signIn = async (page: Page, email: string) => {
    const shell = await page.goto('/app/partners');
    // The shell's policy allows no inline style at all, style attributes included.
    const csp = (await shell!.allHeaders())['content-security-policy'];
    expect(csp).toMatch(/style-src 'self'/);
    expect(csp).not.toMatch(/unsafe-inline|style-src-attr|style-src-elem/);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Partners', level: 1 }).waitFor();
  };
  /** Replaces the editor's whole text, as typing would (CodeMirror's contenteditable). */
  const typeExpression = async (page: Page, text: string) => {
    const content = page.locator('.cm-content');
    await content.click();
    await page.keyboard.press('Control+A');
    // The selection replaced by the new text, as a paste does; then CodeMirror must hold exactly that text.
    await page.keyboard.insertText(text);
    await waitFor(async () => (await content.evaluate((el) => (el as HTMLElement).innerText.replace(/\u200b/g, ''))).trim() === text.trim(), {
      what: 'the editor to hold the typed expression',
    });
  };

  it('edits a mapping against a stored event, marks a compile error, saves, replays the failures and sees them processed', async () => {
    const venue = await createVenue(b.t, { name: 'The Anchor' });
    const p = await createTestPartner(b.t, { name: uniq('acme-pos') });
    await linkLocation(b.t, p.name, 'loc-1', venue.id);
    // A broken mapping: every sale fails its schema ("gone" is no status).
    const broken = SALE_MAPPING.replace('"status": sale.status', '"status": "gone"');
    await putMapping(b.t, p.name, 'sale.updated', broken);
    const day = new Date(Date.now() + 864e5).toISOString().slice(0, 10);
    const booking = await insertBooking(b.t, venue, { date: day, time: '19:00', table: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await signedPost(b.t, p, 'sale.updated', saleEvent({ id: uniq('S'), table: 3, opened_at: localIso(venue, day, '19:30') }));
      ids.push(res.body.event_id as string);
    }
    await Promise.all(ids.map((id) => waitForEvent(b.t, id, ['failed'])));

    const page = await consolePage();
    await signIn(page, await operator());
    const row = page.getByRole('row', { name: new RegExp(p.name) });
    await row.getByRole('cell', { name: '3' }).last().waitFor(); // failed in the last 24 h
    await b.screenshot(page, 'console-partners-tablet');

    await row.getByRole('link', { name: p.name }).click();
    await page.getByRole('heading', { name: 'Signature and modes' }).waitFor();
    await page.getByRole('list', { name: 'Locations' }).getByText('loc-1', { exact: true }).waitFor();
    await b.screenshot(page, 'console-partner-tablet');
    await page.getByRole('link', { name: 'Edit sale.updated' }).click();

    // The editor runs the live (broken) mapping on the newest stored event: the schema error shows.
    await page.getByRole('radio', { name: 'A stored event' }).check();
    await page.getByRole('list', { name: 'Schema errors' }).getByText('/status').waitFor();
    await b.screenshot(page, 'console-editor-schema-error-tablet');

    // Fixed as one types: the output changes, and the booking it would match appears.
    await typeExpression(page, SALE_MAPPING);
    await page.getByTestId('dry-run-output').getByText('"status": "closed"').waitFor();
    await page.getByRole('list', { name: 'Matches' }).getByText(booking.reference).waitFor();
    await page.getByText('Compiles.').waitFor();
    await b.screenshot(page, 'console-editor-output-tablet');

    // A compile error is marked where JSONata found it.
    await typeExpression(page, '{"type": "sale", "total": sale.total +}');
    await page.getByText(/Does not compile \(line 1, column \d+\)/).waitFor();
    await page.locator('.cm-compile-error').first().waitFor();
    expect(await page.locator('.cm-compile-error').first().textContent()).toBe('}');
    expect(await page.getByRole('button', { name: 'Save as new live version' }).isDisabled()).toBe(true);
    await b.screenshot(page, 'console-editor-compile-error-tablet');

    // Fixed again and saved: a new live version, and the diff against the old one.
    await typeExpression(page, SALE_MAPPING);
    await page.getByText('Compiles.').waitFor();
    await page.getByRole('button', { name: 'Save as new live version' }).click();
    await page.getByText('Saved as version 2: it is live now.').waitFor();
    await page.getByLabel('Compare').selectOption('1');
    await page.getByLabel('with', { exact: true }).selectOption('2');
    await page.getByText('Version 1 → version 2').waitFor();
    await page.locator('.diff-line.diff-add', { hasText: '"status": sale.status' }).waitFor();
    await b.screenshot(page, 'console-editor-versions-tablet');

    // The event log: the failures, replayed after the dry-run count, then processed (followed live).
    await page.goto(`/app/partners/${p.name}/events`);
    await page.getByRole('list', { name: 'Events' }).waitFor();
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('button', { name: `Event ${ids[0]}, sale.updated, failed` }).click();
    await page.getByRole('heading', { name: `Event ${ids[0]}` }).waitFor();
    await page.getByRole('table', { name: 'Headers' }).getByText(/\[masked, \d+ characters\]/).waitFor();
    await b.screenshot(page, 'console-event-detail-tablet');
    await page.getByRole('button', { name: 'Replay events that match the filters…' }).click();
    await page.getByText('3 events that match the filters will be processed again').waitFor();
    await b.screenshot(page, 'console-replay-confirm-tablet');
    await page.getByRole('button', { name: 'Replay 3 events' }).click();
    await page.getByText('3 events queued again.').waitFor();
    await Promise.all(ids.map((id) => waitForEvent(b.t, id, ['processed'])));
    await page.getByLabel('Status').selectOption('processed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    for (const id of ids) await page.getByRole('button', { name: `Event ${id}, sale.updated, processed` }).waitFor();
    const rows = await b.t.composed.deps.dataSource.manager.findBy(InboundEvent, { partner: p.name });
    expect(rows.map((r) => [r.status, r.mappingVersion])).toEqual(ids.map(() => ['processed', 2]));
    await b.screenshot(page, 'console-replayed-tablet');
  }, 180_000);

  it('follows new events live, by keyboard, and fits a phone', async () => {
    const p = await createTestPartner(b.t, { name: uniq('live-pos') });
    await putMapping(b.t, p.name, 'sale.updated', SALE_MAPPING);
    const page = await consolePage(PHONE);
    await signIn(page, await operator());
    await page.goto(`/app/partners/${p.name}/events`);
    await page.getByText('No events yet. They appear here as the POS sends them.').waitFor();
    const res = await signedPost(b.t, p, 'sale.updated', saleEvent({ id: uniq('S'), location_id: 'nowhere' }));
    const id = res.body.event_id as string;
    // Within one poll (2 s): no reload.
    await page.getByRole('button', { name: new RegExp(`^Event ${id}, sale.updated, (queued|processing|ignored)$`) }).waitFor({ timeout: 8000 });
    await waitForEvent(b.t, id, ['ignored']);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await b.screenshot(page, 'console-event-log-phone');

    // The keyboard reaches the event and opens it.
    const target = page.getByRole('button', { name: new RegExp(`^Event ${id}`) });
    await waitFor(async () => {
      await page.keyboard.press('Tab');
      return page.evaluate((name) => document.activeElement?.getAttribute('aria-label')?.startsWith(`Event ${name}`) ?? false, id);
    }, { what: 'the event reached by Tab', timeoutMs: 10_000, intervalMs: 1 });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Event ${id}` }).waitFor();
    expect(await target.getAttribute('aria-current')).toBe('true');
    await page.getByText('unknown location nowhere').first().waitFor();

    // A new event type: an empty editor, no version yet (and no failed request in the console).
    await page.goto(`/app/partners/${p.name}/mappings/table.closed`);
    await page.getByText(/No version yet/).waitFor();
    await page.locator('.cm-content').waitFor();
    await b.screenshot(page, 'console-editor-new-phone');
  }, 60_000);
});
