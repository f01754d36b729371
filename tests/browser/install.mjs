// Installs the browser tests' npm packages (package-lock.json, exact versions) when they are
// missing, and checks that Chromium is there: a machine without it fails the tests, never skips.
//   node tests/browser/install.mjs
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM } from './paths.mjs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 18) {
  console.error(`browser tests: node ${process.versions.node} is too old (18 or later)`);
  process.exit(1);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = ['playwright-core', 'axe-core'].map((p) => path.join(here, 'node_modules', p, 'package.json'));
if (!wanted.every((p) => existsSync(p))) {
  console.log('browser tests: npm ci');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('browser tests: npm ci failed');
    process.exit(1);
  }
}
if (!existsSync(CHROMIUM)) {
  console.error(`browser tests: ${CHROMIUM} is missing (scripts/install-deps.sh installs Debian's chromium)`);
  process.exit(1);
}
console.log('1 passed, 0 failed');
