#!/usr/bin/env node
// Runs the test files under src/ with node's test runner (TypeScript through tsx).
// Fast suite by default; `--slow` runs only the *.slow.test.ts files; `--shared-data` only the files whose tests
// need real data files from the shared folder (they call sharedFile, src/data/test-helpers.ts); other arguments
// keep the files whose path contains one of them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const slow = process.argv.includes('--slow');
const sharedData = process.argv.includes('--shared-data');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const unknown = process.argv.slice(2).filter((a) => a.startsWith('--') && a !== '--slow' && a !== '--shared-data');
if (unknown.length) {
  console.error(`run-tests: unknown flag ${unknown[0]} (--slow, --shared-data)`);
  process.exit(2);
}
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts') && name.endsWith('.slow.test.ts') === slow) out.push(p);
  }
  return out;
}
let files = walk('src', []).sort();
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (sharedData) files = files.filter((f) => /\bsharedFile\(/.test(readFileSync(f, 'utf8')));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
