#!/usr/bin/env node
// Runs the test files under src/ with node's test runner (TypeScript through tsx).
// Fast suite by default; `--slow` runs only the *.slow.test.ts files.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const slow = process.argv.includes('--slow');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
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
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
