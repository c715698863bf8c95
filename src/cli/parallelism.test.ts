// Results do not depend on parallelism: train, defend and audit give byte-identical model.safetensors and
// signals.safetensors whatever --workers and the core count (a 1-core affinity, where taskset exists), and
// whatever --threads on the reference BLAS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cwrfEnv } from '../util/_testing.ts';
import { loadedBlas } from '../engine/blas.ts';

const BIN = fileURLToPath(new URL('../../bin/cwrf.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cwrf-par-'));
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

function cwrf(opts: { cache: string; env?: NodeJS.ProcessEnv; oneCore?: boolean }, ...args: string[]): Record<string, unknown> {
  const env = { ...cwrfEnv(), ...opts.env, CWRF_CACHE_DIR: join(dir, opts.cache) };
  const argv = [process.execPath, BIN, ...args, '--quiet', '--json'];
  const r = opts.oneCore
    ? spawnSync('taskset', ['-c', '0', ...argv], { encoding: 'utf8', env })
    : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}
const bytes = (...p: string[]) => readFileSync(join(dir, ...p));
const json = (...p: string[]) => JSON.parse(readFileSync(join(dir, ...p), 'utf8')) as { threads: number };
// hidden 512 x batch 128 is above libtorch's parallel grain, so a second thread really splits the work
const TRAIN = ['train', '--dataset', 'synthetic', '--hidden', '512,128', '--epochs', '1', '--population', '400'];
const DEFEND = ['--method', 'cwrf', '--ratio', '0.01', '--epochs', '1', '--iters', '3'];
const AUDIT = ['--refs', '2', '--attacks', 'lira-online-fixed,loss'];
// libtorch splits a matrix product across its intra-op threads; the reference BLAS rounds each part as the whole,
// OpenBLAS's blocked kernels do not, so there --threads is part of the recipe (recorded, and cache-keyed)
const THREAD_INVARIANT = loadedBlas() === 'reference';

test(`train and defend: ${THREAD_INVARIANT ? 'the same bytes with 1 and 2 threads' : 'threads 1 and 2 (bytes compared only on the reference BLAS)'}; the count is recorded`, () => {
  cwrf({ cache: 'c' }, ...TRAIN, '--out', join(dir, 't1'));
  cwrf({ cache: 'c' }, ...TRAIN, '--threads', '2', '--out', join(dir, 't2'));
  cwrf({ cache: 'c', env: { CWRF_THREADS: '2' } }, ...TRAIN, '--out', join(dir, 't2env'));
  assert.equal(json('t1', 'run.json').threads, 1, 'default: 1 thread');
  assert.equal(json('t2', 'run.json').threads, 2);
  assert.equal(json('t2env', 'run.json').threads, 2, 'CWRF_THREADS');
  assert.ok(bytes('t2', 'model.safetensors').equals(bytes('t2env', 'model.safetensors')), '--threads 2 and CWRF_THREADS=2 differ');
  if (THREAD_INVARIANT)
    assert.ok(
      bytes('t1', 'model.safetensors').equals(bytes('t2', 'model.safetensors')),
      'train: model.safetensors differs between 1 and 2 threads',
    );

  cwrf({ cache: 'c' }, 'defend', join(dir, 't1'), ...DEFEND, '--out', join(dir, 'd1'));
  cwrf({ cache: 'c' }, 'defend', join(dir, 't1'), ...DEFEND, '--threads', '2', '--out', join(dir, 'd2'));
  assert.equal(json('d2', 'run.json').threads, 2);
  if (THREAD_INVARIANT)
    assert.ok(
      bytes('d1', 'model.safetensors').equals(bytes('d2', 'model.safetensors')),
      'defend: model.safetensors differs between 1 and 2 threads',
    );
});

test('audit of a defended run: the same signals with --workers 1/2, --threads 1/2 and one core', () => {
  const run = join(dir, 'd1');
  const variants: [string, string[], boolean][] = [
    ['w1', ['--workers', '1'], false],
    ['w2', ['--workers', '2'], false],
    ['w1t2', ['--workers', '1', '--threads', '2'], false],
    ...(hasTaskset ? ([['core1', [], true]] as [string, string[], boolean][]) : []),
  ];
  for (const [name, flags, oneCore] of variants)
    cwrf({ cache: `cache-${name}`, oneCore }, 'audit', run, ...AUDIT, ...flags, '--out', join(dir, `a-${name}`));
  const ref = bytes('a-w1', 'signals.safetensors');
  for (const [name] of variants)
    if (THREAD_INVARIANT || name !== 'w1t2')
      assert.ok(ref.equals(bytes(`a-${name}`, 'signals.safetensors')), `signals of ${name} differ from --workers 1`);
  assert.equal(json('a-w2', 'audit.json').threads, 1, 'references train with 1 thread whatever --workers is');
  assert.equal(json('a-w1t2', 'audit.json').threads, 2);
});

test('bad thread settings are one-line input errors', () => {
  const env = cwrfEnv({ CWRF_THREADS: 'many', CWRF_CACHE_DIR: join(dir, 'c') });
  const r = spawnSync(process.execPath, [BIN, ...TRAIN, '--out', join(dir, 'never')], { encoding: 'utf8', env });
  assert.equal(r.status, 2);
  assert.match(r.stderr.trim(), /^[^\n]*CWRF_THREADS: 'many' is not an integer >= 1$/);
  const w = spawnSync(process.execPath, [BIN, 'audit', join(dir, 't1'), '--workers', '0'], { encoding: 'utf8', env: cwrfEnv() });
  assert.equal(w.status, 2);
  assert.match(w.stderr, /--workers must be >= 1/);
});
