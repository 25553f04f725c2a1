import { PHONE, useBrowserApp } from '../helpers/browser';

describe('the web app in Chromium', () => {
  const b = useBrowserApp();

  it('loads the shell without console errors', async () => {
    const page = await b.newPage();
    await page.goto('/app');
    await page.getByRole('heading', { name: 'Tablesync' }).waitFor();
    await b.screenshot(page, 'shell-tablet');
    const phone = await b.newPage(PHONE);
    await phone.goto('/app/anything');
    await phone.getByRole('heading', { name: 'Tablesync' }).waitFor();
    await b.screenshot(phone, 'shell-phone');
  });
});
