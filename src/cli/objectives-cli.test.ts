// The CCL and HAMP flags from the command line: bad values are one-line errors with exit 2; a HAMP run records
// its output modification in the recipe and its audit says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cwrfEnv } from '../util/_testing.ts';
import { assertOneLineError as oneLineError } from './_testing.ts';

const BIN = fileURLToPath(new URL('../../bin/cwrf.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cwrf-objectives-cli-'));
const env = cwrfEnv({ CWRF_CACHE_DIR: join(dir, 'cache') });
const cwrf = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('bad CCL / HAMP values: one line, exit 2, nothing written', () => {
  const out = join(dir, 'never');
  const train = (...a: string[]) => cwrf('train', '--dataset', 'synthetic', '--out', out, ...a);
  oneLineError(train('--objective', 'ccl', '--ccl-alpha', '1.5'), /CCL alpha must be in \(0, 1\], got 1\.5/);
  oneLineError(train('--objective', 'ccl', '--ccl-alpha', '0'), /CCL alpha must be in \(0, 1\]/);
  oneLineError(train('--objective', 'ccl', '--ccl-beta=-1'), /CCL beta must be a positive number/);
  oneLineError(train('--objective', 'ccl', '--ccl-form', 'cubic'), /--ccl-form: 'cubic' is not one of exp, quadratic/);
  oneLineError(train('--objective', 'hamp', '--hamp-gamma', '1'), /HAMP gamma must be in \(0, 1\), got 1/);
  oneLineError(train('--objective', 'hamp', '--hamp-gamma', '0'), /HAMP gamma must be in \(0, 1\)/);
  oneLineError(train('--objective', 'hamp', '--hamp-alpha=-0.1'), /HAMP alpha must be a number >= 0/);
  oneLineError(train('--release', 'bogus'), /--release: 'bogus' is not one of none, hamp/);
  assert.equal(existsSync(out), false);
});

test('HAMP: the recipe records the output modification, references replay it, the report shows it', () => {
  const run = join(dir, 'hamp');
  const common = ['--quiet'];
  const t = cwrf('train', '--dataset', 'synthetic', '--hidden', '32', '--epochs', '2', '--population', '600', '--objective', 'hamp', '--out', run, '--json', ...common);
  assert.equal(t.code, 0, t.err);
  const recipe = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')).recipe;
  assert.deepEqual(recipe.objective, { name: 'hamp', gamma: 0.5, alpha: 0.001 });
  assert.deepEqual(recipe.release, { name: 'hamp' });
  const a = cwrf('audit', run, '--refs', '2', '--workers', '1', '--attacks', 'loss', '--json', ...common);
  assert.equal(a.code, 0, a.err);
  assert.match(JSON.parse(a.out).settings.release, /HAMP output modification/);
  assert.match(readFileSync(join(run, 'audit', 'report.html'), 'utf8'), /HAMP output modification/);
  const again = cwrf('audit', run, '--refs', '2', '--workers', '1', '--attacks', 'loss', '--out', join(dir, 'again'), '--json', ...common);
  assert.deepEqual(JSON.parse(again.out).attacks, JSON.parse(a.out).attacks, 'a rerun reproduces the audit');

  const raw = cwrf('defend', run, '--method', 'retrain', '--objective', 'hamp', '--release', 'none', '--out', join(dir, 'hamp-raw'), '--json', ...common);
  assert.equal(raw.code, 0, raw.err);
  assert.equal(JSON.parse(raw.out).recipe.release, undefined);
  const ccl = cwrf('defend', run, '--method', 'retrain', '--objective', 'ccl', '--ccl-form', 'quadratic', '--out', join(dir, 'ccl'), '--json', ...common);
  assert.equal(ccl.code, 0, ccl.err);
  const cr = JSON.parse(ccl.out).recipe;
  assert.deepEqual([cr.objective.name, cr.objective.form, cr.release], ['ccl', 'quadratic', undefined]);
  const cw = cwrf('defend', join(dir, 'ccl'), '--method', 'cwrf', '--objective', 'hamp', '--epochs', '1', '--iters', '2', '--out', join(dir, 'ccl-hamp'), '--json', ...common);
  assert.equal(cw.code, 0, cw.err);
  const dr = JSON.parse(cw.out).recipe;
  assert.deepEqual([dr.defenses[0].objective.name, dr.release], ['hamp', { name: 'hamp' }], 'a HAMP fine-tune releases through HAMP');
  oneLineError(cwrf('defend', join(dir, 'ccl'), '--method', 'cwrf', '--objective', 'hamp', '--hamp-gamma', '2', '--out', join(dir, 'x'), ...common), /HAMP gamma must be in \(0, 1\)/);
});
