// Passkeys in a real browser: Chromium's virtual authenticator (CDP WebAuthn domain, CTAP2,
// internal transport, resident keys, user verification) against `koban serve --demo`.
// One story, in order: password login, register, log out, passwordless login, password +
// passkey as the second factor, re-register (the old key stops working), a key the server
// never saw is refused, remove (the removed key stops working).
//   node tests/browser/passkeys.test.mjs PATH-TO-KOBAN
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { launchChromium, loginWithPassword, logout, startKoban } from './lib.mjs';

let server;
let browser;
let page;
let cdp;

before(async () => {
  server = await startKoban(process.argv[2]);
  browser = await launchChromium();
  const context = await browser.newContext();
  page = await context.newPage();
  page.setDefaultTimeout(20000);
  cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function addAuthenticator() {
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
               isUserVerified: true, automaticPresenceSimulation: true },
  });
  return authenticatorId;
}

async function credentialsOf(authenticatorId) {
  return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
}

// A refused login shows the login form again (at the URL it was posted to), with the reason.
async function assertRefused(reason) {
  assert.match(new URL(page.url()).pathname, /^\/admin\/login/);
  assert.match(await page.locator('[role="alert"]').innerText(), reason);
  await page.goto(`${server.base}/admin/`);
  assert.equal(new URL(page.url()).pathname, '/admin/login', 'no session after a refusal');
}

async function passwordlessLogin() {
  await page.goto(`${server.base}/admin/login`);
  const button = page.getByRole('button', { name: 'パスキーでログイン' });
  await button.waitFor({ state: 'visible' });
  await Promise.all([page.waitForNavigation(), button.click()]);
}

let authenticator;
let firstCredential;
let handle;

test('the passkey buttons appear only where the browser can use them', async () => {
  await page.goto(`${server.base}/admin/login`);
  await page.getByRole('button', { name: 'パスキーでログイン' }).waitFor({ state: 'visible' });
  assert.equal(await page.locator('[data-webauthn-unsupported]').isVisible(), false);
  // Without JavaScript the page says so and the form still works.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const p = await plain.newPage();
  await p.goto(`${server.base}/admin/login`);
  assert.equal(await p.locator('[data-webauthn-unsupported]').isVisible(), true);
  assert.equal(await p.getByRole('button', { name: 'パスキーでログイン' }).isVisible(), false);
  await p.fill('#login_name', 'chuo.tanto');
  await p.fill('#password', server.password);
  await Promise.all([p.waitForNavigation(), p.click('form.login-form button[type="submit"]')]);
  assert.match(new URL(p.url()).pathname, /^\/admin\/$/);
  await plain.close();
});

test('register a passkey after a password login', async () => {
  authenticator = await addAuthenticator();
  await loginWithPassword(page, server, 'chuo.tanto');
  assert.equal(new URL(page.url()).pathname, '/admin/');
  await page.goto(`${server.base}/admin/webauthn`);
  await page.fill('#nickname', '署の事務用パソコン');
  await Promise.all([page.waitForURL(/done=registered/), page.getByRole('button', { name: 'パスキーを登録する' }).click()]);
  assert.match(await page.locator('main').innerText(), /署の事務用パソコン/);
  const creds = await credentialsOf(authenticator);
  assert.equal(creds.length, 1);
  assert.equal(creds[0].isResidentCredential, true);
  assert.equal(creds[0].rpId, 'localhost');
  firstCredential = creds[0];
  handle = creds[0].userHandle;
  await logout(page, server);
  assert.equal(new URL(page.url()).pathname, '/admin/login');
});

test('passwordless login with the passkey', async () => {
  await passwordlessLogin();
  assert.equal(new URL(page.url()).pathname, '/admin/');
  assert.match(await page.locator('h1').innerText(), /ダッシュボード/);
  await logout(page, server);
});

test('password, then the passkey as the second factor', async () => {
  await loginWithPassword(page, server, 'chuo.tanto');
  assert.equal(new URL(page.url()).pathname, '/admin/login/totp');
  // Nothing behind the login until the second factor is given.
  await page.goto(`${server.base}/admin/webauthn`);
  assert.equal(new URL(page.url()).pathname, '/admin/login/totp');
  const button = page.getByRole('button', { name: 'パスキーで確認する' });
  await button.waitFor({ state: 'visible' });
  await Promise.all([page.waitForURL(`${server.base}/admin/`), button.click()]);
  assert.match(await page.locator('h1').innerText(), /ダッシュボード/);
});

test('re-register: the new passkey replaces the old one', async () => {
  await page.goto(`${server.base}/admin/webauthn`);
  await page.fill('#nickname', '新しい端末');
  await Promise.all([page.waitForURL(/done=reregistered/),
                     page.getByRole('button', { name: /登録し直す/ }).click()]);
  const text = await page.locator('main').innerText();
  assert.match(text, /新しい端末/);
  assert.doesNotMatch(text, /署の事務用パソコン/);
  assert.equal(await page.locator('tbody tr').count(), 1);
  await logout(page, server);
});

let newCredential;

test('the old passkey no longer logs in', async () => {
  // The same device holds the new key now; the old key goes into a second authenticator.
  const creds = await credentialsOf(authenticator);
  newCredential = creds.find((c) => c.credentialId !== firstCredential.credentialId);
  assert.ok(newCredential, 'the authenticator holds the new credential');
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: authenticator });
  const old = await addAuthenticator();
  try {
    await cdp.send('WebAuthn.addCredential', { authenticatorId: old, credential: firstCredential });
    await passwordlessLogin();
    await assertRefused(/登録されていない認証器です/);
  } finally {
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: old });
  }
});

test('a key the server never saw is refused', async () => {
  const stranger = await addAuthenticator();
  try {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await cdp.send('WebAuthn.addCredential', {
      authenticatorId: stranger,
      credential: {
        credentialId: randomBytes(16).toString('base64'), isResidentCredential: true, rpId: 'localhost',
        privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
        userHandle: handle, signCount: 0,
      },
    });
    await passwordlessLogin();
    await assertRefused(/登録されていない認証器です/);
  } finally {
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: stranger });
  }
});

test('remove the passkey after a confirmation; it stops working', async () => {
  authenticator = await addAuthenticator();
  await cdp.send('WebAuthn.addCredential', { authenticatorId: authenticator, credential: newCredential });
  await passwordlessLogin();
  assert.equal(new URL(page.url()).pathname, '/admin/');
  await page.goto(`${server.base}/admin/webauthn`);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: /を削除$/ }).click()]);
  assert.match(await page.locator('h1').innerText(), /削除の確認/);
  await Promise.all([page.waitForURL(/done=removed/), page.getByRole('button', { name: '削除する' }).click()]);
  assert.match(await page.locator('main').innerText(), /パスキーはまだ登録されていません/);
  await logout(page, server);
  await passwordlessLogin();
  await assertRefused(/登録されていない認証器です/);
  // Without a passkey the password alone is enough again.
  await loginWithPassword(page, server, 'chuo.tanto');
  assert.equal(new URL(page.url()).pathname, '/admin/');
});
