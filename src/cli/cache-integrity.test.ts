// Issue 29, probe 6: 500 bytes flipped inside a cached reference result (same size) used to be read as
// "cached" and move RMIA's TPR; now the audit reports the entry once, retrains it and gives the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedFile } from '../data/test-helpers.ts';
import { cwrfEnv } from '../util/_testing.ts';
import { runCli } from './_testing.ts';

const location = sharedFile('location/dataset_location.tgz');
const SHARED = location.dir ?? '';

test('probe 6: a flipped cached reference is reported, retrained, and the audit gives the bytes of the first one', { skip: location.skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cwrf-cache-integrity-'));
  const cache = join(dir, 'cache');
  const env = cwrfEnv({ CWRF_CACHE_DIR: cache });
  const run = join(dir, 'R');
  const t = runCli(env, 'train', '--dataset', 'location', '--data-dir', SHARED, '--hidden', '16', '--epochs', '2', '--population', '400', '--out', run, '--quiet');
  assert.equal(t.code, 0, t.err);
  const audit = (out: string) => runCli(env, 'audit', run, '--refs', '2', '--workers', '1', '--attacks', 'rmia-online,loss', '--out', join(dir, out), '--json');
  const first = audit('A1');
  assert.equal(first.code, 0, first.err);
  const models = join(cache, 'models');
  const entries = readdirSync(models).filter((f) => f.endsWith('.safetensors'));
  assert.equal(entries.length, 2);
  for (const e of entries) assert.ok(existsSync(join(models, `${e}.sha256`)), `${e} has its digest`);
  const victim = join(models, entries[0]);
  const bytes = readFileSync(victim);
  for (let i = bytes.length - 700; i < bytes.length - 200; i++) bytes[i] ^= 0xa5;
  writeFileSync(victim, bytes);

  const second = audit('A2');
  assert.equal(second.code, 0, second.err);
  const damaged = second.err.split('\n').filter((l) => l.includes('is damaged'));
  assert.equal(damaged.length, 1, second.err);
  assert.match(damaged[0], new RegExp(`cache entry ${victim} is damaged .*: discarded, recomputing it`));
  assert.deepEqual(JSON.parse(second.out).references.map((r: { cached: boolean }) => r.cached).sort(), [false, true]);
  assert.ok(readFileSync(join(dir, 'A2', 'signals.safetensors')).equals(readFileSync(join(dir, 'A1', 'signals.safetensors'))), 'same signals as before the damage');
  assert.deepEqual(JSON.parse(second.out).attacks, JSON.parse(first.out).attacks);
});
