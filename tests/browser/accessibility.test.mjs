// Accessibility of the staff pages: axe-core with the WCAG 2.0/2.1 A and AA rules on the login
// page, and on the dashboard, every page of the staff menu and the passkey page for the system
// administrator (system.kanri) and a station person (chuo.tanto). Zero violations allowed.
//   node tests/browser/accessibility.test.mjs PATH-TO-KOBAN
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { launchChromium, loginWithPassword, startKoban } from './lib.mjs';

const axe = createRequire(import.meta.url)('axe-core');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let server;
let browser;

before(async () => {
  server = await startKoban(process.argv[2]);
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// Runs axe in the page (page.evaluate is not bound by the page's CSP) and lists violations.
async function violations(page) {
  await page.evaluate(axe.source);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), TAGS);
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ` +
    v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n    '));
}

async function check(page, url, statuses = [200]) {
  const res = await page.goto(url);
  assert.ok(statuses.includes(res.status()), `${url} answers ${res.status()}`);
  const found = await violations(page);
  assert.deepEqual(found, [], `${url}:\n  ${found.join('\n  ')}`);
}

test('axe reports a planted violation (the check is not vacuous)', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.base}/admin/login`);
  await page.evaluate(() => { document.querySelector('main').append(document.createElement('img')); });
  const found = await violations(page);
  assert.ok(found.some((v) => v.startsWith('image-alt')), found.join('\n'));
  await page.close();
});

test('login page', async () => {
  const page = await browser.newPage();
  await check(page, `${server.base}/admin/login`);
  await page.close();
});

for (const login of ['system.kanri', 'chuo.tanto']) {
  test(`staff pages for ${login}`, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await loginWithPassword(page, server, login);
    assert.equal(new URL(page.url()).pathname, '/admin/');
    const links = await page.$$eval('nav[aria-label="業務メニュー"] a', (as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.length >= 5, 'the staff menu has its links');
    const pages = [...new Set(['/admin/', ...links, '/admin/webauthn'])];
    // Pages the person may not open answer 403 with the error page: checked all the same.
    for (const href of pages) await check(page, `${server.base}${href}`, [200, 403]);
    console.log(`# ${login}: ${pages.length} pages checked: ${pages.join(' ')}`);
    await context.close();
  });
}
