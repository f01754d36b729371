// Shared by the browser tests: start the real `koban serve --demo` on a free loopback port with
// a temporary data directory, launch Debian's Chromium through playwright-core, log in.
//
//   const server = await startKoban(process.argv[2]);   // { base, password, stop() }
//   const browser = await launchChromium();             // fails (never skips) without Chromium
//   await loginWithPassword(page, server, 'chuo.tanto');
//
// The pages are opened as http://localhost:PORT: WebAuthn refuses IP addresses as relying
// party ids and allows plain http only on localhost, and koban's relying party for a loopback
// listen address is "localhost" (src/app/staff_webauthn.h).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './paths.mjs';

export { CHROMIUM };

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function startKoban(koban) {
  if (!koban) throw new Error('usage: node <test>.mjs PATH-TO-KOBAN');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'koban-browser-'));
  const port = await freePort();
  const child = spawn(koban, ['serve', '--demo', '--data', path.join(dir, 'data'), '--listen', `127.0.0.1:${port}`],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const base = `http://localhost:${port}`;
  // Up to 30 s for the first start (migrations, demo force) under the sanitizers.
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch { /* not yet listening */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  const match = out.match(/every person's password is (\S+)/);
  if (child.exitCode !== null || !match) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`koban serve --demo did not start:\n${out}`);
  }
  return {
    base,
    password: match[1],
    output: () => out,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 60000,
  });
}

export async function loginWithPassword(page, server, login) {
  await page.goto(`${server.base}/admin/login`);
  await page.fill('#login_name', login);
  await page.fill('#password', server.password);
  await Promise.all([page.waitForNavigation(), page.click('form.login-form button[type="submit"]')]);
}

export async function logout(page, server) {
  await page.goto(`${server.base}/admin/`);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/logout"] button')]);
}
