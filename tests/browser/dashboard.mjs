// Drives Debian's Chromium through the dashboard, as a commune official would: signs in, opens
// a report, reads its figures off the page, downloads the XLSX, saves screenshots (screen and
// print) and an A4 PDF. Prints what it read as JSON on stdout; the Rust test
// (tests/tests/dashboard_browser.rs) checks it against figures worked out by hand.
//
// Environment: SOTAY_URL, SOTAY_LOGIN, SOTAY_PASSWORD, SOTAY_REPORT (path and query of the
// report page), SOTAY_OUT (a directory for the files).
import { launch, need } from './launch.mjs';
import path from 'node:path';

const url = need('SOTAY_URL');
const out = need('SOTAY_OUT');

const browser = await launch();
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 }, locale: 'vi-VN' });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);

  // Signed out, the dashboard sends us to sign in.
  await page.goto(`${url}/dashboard/records`);
  if (!page.url().endsWith('/dashboard/sign-in')) throw new Error(`not sent to sign in: ${page.url()}`);
  const signInHeading = await page.locator('h1').innerText();

  // A wrong password is refused on the page.
  await page.fill('#login', need('SOTAY_LOGIN'));
  await page.fill('#password', 'not-the-password');
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit].primary')]);
  const refusal = await page.locator('[role=alert]').innerText();

  await page.fill('#login', need('SOTAY_LOGIN'));
  await page.fill('#password', need('SOTAY_PASSWORD'));
  await Promise.all([page.waitForURL(/\/dashboard\/records/), page.click('button[type=submit].primary')]);
  const overdueRows = await page.locator('tr.late').count();
  const recordRows = await page.locator('tbody tr').count();
  await page.screenshot({ path: path.join(out, 'records-page.png'), fullPage: true });

  await page.goto(`${url}${need('SOTAY_REPORT')}`);
  const figures = {};
  for (const cell of await page.locator('td[data-code]').all()) {
    figures[await cell.getAttribute('data-code')] = (await cell.innerText()).trim();
  }
  const heading = await page.locator('#report-heading').innerText();
  const charts = await page.locator('main svg rect').count();
  const rollUp = await page.locator('#roll-up tbody tr').count();

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-xlsx')]);
  const xlsx = path.join(out, 'report.xlsx');
  await download.saveAs(xlsx);

  await page.screenshot({ path: path.join(out, 'report-page.png'), fullPage: true });
  await page.screenshot({ path: path.join(out, 'report-top.png') });
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: path.join(out, 'report-print.png'), fullPage: true });
  await page.pdf({ path: path.join(out, 'report-a4.pdf'), format: 'A4', printBackground: true });
  // Charts are left off paper: scaled to the page they were too small to read.
  const chartsOnPaper = await page.locator('svg.chart:visible, svg.trend:visible').count();

  // English on request.
  await page.emulateMedia({ media: 'screen' });
  await page.click('a[lang=en]');
  await page.waitForLoadState('load');
  const englishHeading = await page.locator('h1').innerText();

  // The official form (Decree 30/2020/NĐ-CP), as the browser lays it out and prints it.
  await Promise.all([page.waitForURL(/\/dashboard\/report\/official/), page.click('#official-form')]);
  await page.fill('#number', '12');
  await page.fill('#signer', 'Hoàng Văn Sơn');
  await Promise.all([page.waitForURL(/number=12/), page.click('.toolbar button[type=submit]')]);
  const box = async (sel) => page.locator(sel).boundingBox();
  const [issuerBox, nationalBox] = [await box('.issuer'), await box('.national')];
  const official = {
    issuer: await page.locator('.issuer').innerText(),
    national: await page.locator('.national').innerText(),
    number: await page.locator('#official-number').innerText(),
    signer: await page.locator('#official-signer').innerText(),
    recipients: await page.locator('.recipients').innerText(),
    bodyFont: await page.evaluate(() => getComputedStyle(document.body).fontFamily),
    bodySize: await page.evaluate(() => getComputedStyle(document.querySelector('.body p')).fontSize),
    sideBySide: issuerBox.x + issuerBox.width <= nationalBox.x + 1 && Math.abs(issuerBox.y - nationalBox.y) < 2,
  };
  await page.screenshot({ path: path.join(out, 'official-page.png'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  official.toolbarOnPaper = await page.locator('.toolbar:visible').count();
  await page.pdf({ path: path.join(out, 'official-a4.pdf'), preferCSSPageSize: true });

  process.stdout.write(JSON.stringify({ signInHeading, refusal, recordRows, overdueRows, figures, heading, charts, rollUp, xlsx, englishHeading, chartsOnPaper, official }));
} finally {
  await browser.close();
}
