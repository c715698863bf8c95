// Issue 29, probes 1 and 5: an existing output is never replaced without --force, an output that would replace
// the input is refused, and an unwritable place (read-only, missing, full) is one line naming the path, found
// before any training. Read-only and full filesystems are real tmpfs mounts in a user namespace (skipped where
// `unshare` cannot make one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedFile } from '../data/test-helpers.ts';
import { cwrfEnv } from '../util/_testing.ts';
import { assertOneLineError, BIN, runCli } from './_testing.ts';

const location = sharedFile('location/dataset_location.tgz');
const SHARED = location.dir ?? '';
const dir = mkdtempSync(join(tmpdir(), 'cwrf-outputs-'));
const env = cwrfEnv({ CWRF_CACHE_DIR: join(dir, 'cache') });
const cwrf = (...args: string[]) => runCli(env, ...args);
const tiny = ['--dataset', 'location', '--data-dir', SHARED, '--hidden', '16', '--epochs', '1', '--population', '400', '--quiet'];

/** Runs cwrf in a user + mount namespace where each `mounts` directory is a fresh tmpfs with those options; `left` lists what each holds afterwards. */
function cwrfOnMounts(mounts: { dir: string; opts: string }[], e: NodeJS.ProcessEnv, ...args: string[]) {
  for (const m of mounts) mkdirSync(m.dir, { recursive: true });
  const script = [...mounts.map((m, i) => `mount -t tmpfs -o ${m.opts} none "$${i + 1}"`), `shift ${mounts.length}`, '"$@"', 'code=$?', ...mounts.map((m) => `echo "left: $(ls -A '${m.dir}' | tr '\\n' ' ')" >&3`), 'exit $code'].join('\n');
  const r = spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', `exec 3>&1 1>/dev/null; ${script}`, 'sh', ...mounts.map((m) => m.dir), process.execPath, BIN, ...args], { encoding: 'utf8', env: e });
  return { code: r.status, err: r.stderr, left: r.stdout.trim().split('\n').map((l) => l.replace(/^left:/, '').trim()) };
}
const namespaces = spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', `mount -t tmpfs none "${tmpdir()}"`]).status === 0;

test('probe 1: an existing --out is refused (its files kept), --force replaces it; --out equal to or above the input run is refused', { skip: location.skip }, () => {
  const r2 = join(dir, 'R2');
  mkdirSync(r2);
  writeFileSync(join(r2, 'mine.txt'), 'x');
  assertOneLineError(cwrf('train', ...tiny, '--out', r2), /--out .*R2 is a directory that is not empty \(1 entry: mine\.txt\).*--force/);
  assert.equal(readFileSync(join(r2, 'mine.txt'), 'utf8'), 'x');
  const forced = cwrf('train', ...tiny, '--out', r2, '--force');
  assert.equal(forced.code, 0, forced.err);
  assert.deepEqual(readdirSync(r2).sort(), ['init.safetensors', 'model.safetensors', 'run.json', 'split.safetensors']);

  const run = join(dir, 'R');
  assert.equal(cwrf('train', ...tiny, '--out', run).code, 0);
  const before = readdirSync(run).sort();
  assertOneLineError(cwrf('audit', run, '--out', run, '--refs', '2'), /--out .*R is .*R, which this command reads/);
  assertOneLineError(cwrf('audit', run, '--out', dir, '--refs', '2'), /would replace .*R, which this command reads/);
  assertOneLineError(cwrf('score', run, '--score', 'magnitude', '--out', join(run, 'model.safetensors'), '--force'), /model\.safetensors, which this command reads/);
  assertOneLineError(cwrf('defend', run, '--method', 'rewind', '--out', run, '--force'), /which this command reads/);
  assertOneLineError(cwrf('defend', run, '--method', 'rewind', '--out', join(run, 'rewound')), /is inside .*R, which this command reads/);
  assert.deepEqual(readdirSync(run).sort(), before, 'the run is untouched');
  const d = cwrf('defend', run, '--method', 'rewind', '--ratio', '0.01', '--out', join(dir, 'R-rewind'), ...tiny.slice(2, 4), '--quiet');
  assert.equal(d.code, 0, d.err);
  assert.equal(JSON.parse(readFileSync(join(dir, 'R-rewind', 'run.json'), 'utf8')).parent, run);
  assertOneLineError(cwrf('predict', run, '--input', join(run, 'run.json'), '--out', join(run, 'run.json')), /run\.json, which this command reads/);
  assert.match(cwrf('audit', '--help').out, /--force .*replace an existing non-empty output/);
});

test('probe 5: read-only --out and cache, a missing parent: exit 2 before any training; a full disk mid-run: exit 1 naming the file, nothing left', { skip: location.skip || (!namespaces && 'unshare cannot mount a tmpfs here') }, () => {
  const ro = join(dir, 'ro');
  // 10,000 epochs: the refusal must come before training, or the test runs out of time
  const long = ['train', '--dataset', 'location', '--data-dir', SHARED, '--hidden', '16', '--epochs', '10000', '--population', '400', '--quiet'];
  const roOut = cwrfOnMounts([{ dir: ro, opts: 'ro,size=1m' }], env, ...long, '--out', join(ro, 'R'));
  assertOneLineError(roOut, new RegExp(`cannot write ${join(ro, 'R')}: read-only file system`));
  const run = join(dir, 'R5');
  assert.equal(cwrf('train', ...tiny, '--out', run).code, 0);
  const roCache = cwrfOnMounts([{ dir: ro, opts: 'ro,size=1m' }], { ...env, CWRF_CACHE_DIR: join(ro, 'cache') }, 'audit', run, '--refs', '2', '--out', join(dir, 'A5'));
  assertOneLineError(roCache, new RegExp(`cannot write the model cache ${join(ro, 'cache')} \\(\\$CWRF_CACHE_DIR\\): read-only file system`));
  assert.equal(existsSync(join(dir, 'A5')), false);
  assertOneLineError(cwrf('predict', run, '--input', join(run, 'x.npy'), '--out', join(dir, 'missing', 'l.npy')), /cannot write .*missing\/l\.npy: directory .*missing does not exist/);

  const full = join(dir, 'full');
  const r = cwrfOnMounts([{ dir: full, opts: 'size=100k' }], env, 'train', ...tiny.slice(0, 4), '--hidden', '64', '--epochs', '1', '--population', '400', '--quiet', '--out', join(full, 'R'));
  assert.equal(r.code, 1, r.err);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, new RegExp(`cannot write ${join(full, 'R')}/\\w+\\.safetensors: no space left on device`));
  assert.deepEqual(r.left, [''], 'nothing half-written on the full disk');
});
