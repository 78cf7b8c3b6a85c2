// Drives Debian's Chromium through the administration pages, as a province's administrator
// would (issue 14). Two steps, with a real CLI device enrolled between them by the Rust test
// (tests/tests/dashboard_browser.rs):
// - SOTAY_STEP=issue: signs in, creates a user, issues an enrollment code for them and prints
//   its card (screenshot and PDF); prints {code, listed} as JSON.
// - SOTAY_STEP=revoke: signs in, finds the user's device with its last sync, revokes it with a
//   reason (screenshots before and after); prints {lastSync, revoked} as JSON.
//
// Environment: SOTAY_URL, SOTAY_LOGIN, SOTAY_PASSWORD (the administrator), SOTAY_NEW_LOGIN,
// SOTAY_NEW_NAME, SOTAY_UNIT (the user to create), SOTAY_OUT (a directory for the files).
import { launch, need } from './launch.mjs';
import path from 'node:path';

const url = need('SOTAY_URL');
const out = need('SOTAY_OUT');
const step = need('SOTAY_STEP');
const newLogin = need('SOTAY_NEW_LOGIN');

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'vi-VN' });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  await page.goto(`${url}/dashboard/sign-in`);
  await page.fill('#login', need('SOTAY_LOGIN'));
  await page.fill('#password', need('SOTAY_PASSWORD'));
  await Promise.all([page.waitForURL(/\/dashboard\/report/), page.click('button[type=submit].primary')]);
  await Promise.all([page.waitForURL(/\/dashboard\/admin\/users/), page.click('header nav a[href="/dashboard/admin/users"]')]);

  if (step === 'issue') {
    await page.fill('#new-user input[name=login]', newLogin);
    await page.fill('#new-user input[name=name]', need('SOTAY_NEW_NAME'));
    await page.selectOption('#new-user select[name=role]', 'commune-official');
    await page.fill('#new-user input[name=unit]', need('SOTAY_UNIT'));
    await Promise.all([page.waitForLoadState('load'), page.click('#new-user button[type=submit]')]);
    const listed = await page.locator(`tr[data-login="${newLogin}"]`).count();
    await page.screenshot({ path: path.join(out, 'admin-users.png'), fullPage: true });

    await page.goto(`${url}/dashboard/admin/codes`);
    await page.selectOption('#new-code select[name=login]', newLogin);
    await page.fill('#new-code input[name=hours]', '24');
    await Promise.all([page.waitForLoadState('load'), page.click('#new-code button[type=submit]')]);
    const code = (await page.locator('#code').innerText()).trim();
    const qr = await page.locator('#card svg').count();
    await page.screenshot({ path: path.join(out, 'enrollment-card.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    const headerOnPaper = await page.locator('header:visible').count();
    await page.pdf({ path: path.join(out, 'enrollment-card.pdf'), preferCSSPageSize: true });
    process.stdout.write(JSON.stringify({ code, listed, qr, headerOnPaper }));
  } else {
    await page.goto(`${url}/dashboard/admin/devices`);
    const row = page.locator('#devices tbody tr', { hasText: newLogin });
    const lastSync = (await row.locator('td.last-sync').innerText()).trim();
    await page.screenshot({ path: path.join(out, 'admin-devices.png'), fullPage: true });
    await row.locator('input[name=reason]').fill('Mất máy khi đi công tác');
    await Promise.all([page.waitForLoadState('load'), row.locator('button[type=submit]').click()]);
    const revoked = (await page.locator('#devices tbody tr', { hasText: newLogin }).innerText()).includes('Đã thu hồi lúc');
    await page.screenshot({ path: path.join(out, 'admin-devices-revoked.png'), fullPage: true });
    process.stdout.write(JSON.stringify({ lastSync, revoked }));
  }
} finally {
  await browser.close();
}
