// Issue 29, probes 2-4: a CSV run records its label column, so audit and defend replay it (a different
// --label-column is refused), the reference cache key covers it (only when it is not the default), a header
// name names it, and a continuous first column is refused instead of training 480 one-example classes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cwrfEnv } from '../util/_testing.ts';
import { assertOneLineError, runCli } from './_testing.ts';
import { loadRun, recipeKey, refFile } from '../runs/index.ts';
import { referenceJobs } from '../audit/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cwrf-csv-run-'));
const cache = join(dir, 'cache');
const env = cwrfEnv({ CWRF_CACHE_DIR: cache });
const cwrf = (...args: string[]) => runCli(env, ...args);
const json = (r: { code: number | null; out: string; err: string }) => {
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out);
};

/** 600 rows: ten float features x0..x9 and, last, the class y in 0..3 (feature y%4 is shifted up). */
function writeCsv(file: string): void {
  let s = 7;
  const u = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const rows = Array.from({ length: 600 }, (_, i) => [...Array.from({ length: 10 }, (_, j) => ((j % 4 === i % 4 ? 1.5 : 0) + 2 * u() - 1).toFixed(4)), i % 4].join(','));
  writeFileSync(file, `${['x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,y', ...rows].join('\n')}\n`);
}

test('probes 2-4: a CSV run with --label-column replays through audit and defend; the cache key and a conflicting flag', async () => {
  const csv = join(dir, 'my.csv');
  writeCsv(csv);
  const recipe = ['--dataset', `csv:${csv}`, '--hidden', '16', '--epochs', '10', '--batch-size', '32', '--quiet'];
  assertOneLineError(cwrf('train', ...recipe, '--out', join(dir, 'R0')), /label column 0 \('x0'\) looks continuous \(non-integer values such as -?\d\.\d+\), not class labels: did you mean --label-column y \(column 10: 4 distinct integer values\)\?/);

  const run = join(dir, 'R');
  const t = json(cwrf('train', ...recipe, '--label-column', 'last', '--out', run, '--json'));
  assert.deepEqual(t.recipe.data, { labelColumn: 10 }, 'the run records the label column as an index');
  assert.ok(t.metrics.testAccuracy > 0.6, `test accuracy ${t.metrics.testAccuracy}`);

  const a = json(cwrf('audit', run, '--refs', '2', '--workers', '2', '--attacks', 'loss,rmia-online', '--json', '--quiet'));
  for (const r of a.references) assert.ok(!r.cached && r.testAccuracy > 0.6, `a reference trained on the label column: ${JSON.stringify(r)}`);
  const again = json(cwrf('audit', run, '--refs', '2', '--label-column', 'y', '--attacks', 'loss', '--out', join(dir, 'A-y'), '--json', '--quiet'));
  assert.ok(again.references.every((r: { cached: boolean }) => r.cached), '--label-column y is the recorded column: same references');
  assertOneLineError(cwrf('audit', run, '--refs', '2', '--label-column', '0', '--out', join(dir, 'A0')), /--label-column 0 is column 0, but .*R was trained on label column 10: drop --label-column/);
  assertOneLineError(cwrf('audit', run, '--refs', '2', '--limit', '100', '--out', join(dir, 'A0')), /--limit 100 differs from .*R's \(none: all rows\)/);

  // the cache key covers the label column (the references above are cached under it), and only a non-default one
  const r = await loadRun(run);
  for (const j of referenceJobs(r.recipe, r.members.length, 2, 0).jobs) {
    assert.ok(existsSync(refFile(j.recipe, j.members, cache)), 'cached under the key with the label column');
    const noData = { ...j.recipe, data: undefined };
    assert.notEqual(recipeKey(noData, j.members), recipeKey(j.recipe, j.members));
    assert.equal(existsSync(refFile(noData, j.members, cache)), false);
  }

  const d = cwrf('defend', run, '--method', 'cwrf', '--ratio', '0.01', '--epochs', '1', '--iters', '3', '--out', join(dir, 'RD'));
  assert.equal(d.code, 0, d.err);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'RD', 'run.json'), 'utf8')).recipe.data, { labelColumn: 10 });
  const hint = /audit it with: (cwrf audit .*)$/m.exec(d.out);
  assert.ok(hint, d.out);
  const [, ...args] = hint[1].split(' ');
  const da = json(cwrf(...args, '--refs', '2', '--attacks', 'loss', '--json', '--quiet'));
  for (const ref of da.references) assert.ok(ref.testAccuracy > 0.6, `a defended reference: ${JSON.stringify(ref)}`);
});
