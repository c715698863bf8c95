import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRecipe } from '../train/index.ts';
import { benchDefenses } from './bench-rows.ts';
import { NO_PARAMS, withParams } from './bench-params.ts';
import { selectDefenses } from './bench.ts';

const recipe = defaultRecipe('cifar10-jpeg');

test('a given CCL alpha sets the CCL rows (base and fine-tune), names them, and leaves every other row as it is', () => {
  const rows = benchDefenses('cifar10-jpeg');
  const out = withParams(rows, { objectives: { ccl: { alpha: 0.02 } }, dp: {} });
  const by = (n: string) => out.find((d) => d.name === n)!;
  assert.deepEqual(by('CCL (alpha 0.02)').base, { name: 'ccl', alpha: 0.02, beta: 0.05, form: 'exp' });
  assert.equal(by('CCL (alpha 0.02)').params, 'alpha 0.02');
  assert.deepEqual(by('CCL (alpha 0.02) + CWRF').stage!(recipe).objective, { name: 'ccl', alpha: 0.02, beta: 0.05, form: 'exp' });
  assert.ok(by('CCL (alpha 0.02) + CWRF rewind only'));
  for (const [i, d] of rows.entries()) if (d.base.name !== 'ccl') assert.equal(out[i], d, `${d.name} unchanged`);
  assert.deepEqual(withParams(rows, NO_PARAMS), rows);
});

test('a grid over a row with given settings names its points and controls after the set base; --rows still selects by the default slugs', () => {
  const rows = selectDefenses('cifar10-jpeg', {
    only: ['ccl', 'ccl-cwrf'],
    grid: [{ ratio: [0.03], epochs: [2] }],
    gridRows: ['CCL + CWRF'],
    params: { objectives: { ccl: { alpha: 0.02 } }, dp: {} },
  });
  assert.deepEqual(rows.map((d) => d.name), ['CCL (alpha 0.02)', 'CCL (alpha 0.02) + CWRF', 'CCL (alpha 0.02) + CWRF {r 3%, 2 ep, lr recipe}', 'CCL (alpha 0.02) + fine-tune-all {2 ep, lr recipe}']);
  assert.equal(rows[2].grid!.of, 'CCL (alpha 0.02) + CWRF');
  const control = rows[3].stage!(recipe);
  assert.equal(control.method, 'finetune-all');
  assert.equal(control.objective.alpha, 0.02);
});

test('DP settings set the DP rows; a given noise multiplier replaces the default target epsilon; a name stating eps 8 is rewritten', () => {
  const img = withParams(benchDefenses('cifar10-jpeg'), { objectives: {}, dp: { targetEpsilon: 4 } });
  const dp = img.find((d) => d.name === 'DP-SGD (eps 4)')!;
  assert.deepEqual(dp.dp, { maxGradNorm: 1, targetEpsilon: 4, delta: 1e-5 });
  assert.deepEqual(img.find((d) => d.name === 'DP-SGD (eps 4) + CWRF')!.stage!(recipe).dp, { maxGradNorm: 1, targetEpsilon: 4, delta: 1e-5 });
  const tab = withParams(benchDefenses('location'), { objectives: {}, dp: { noiseMultiplier: 1.1 } });
  const t = tab.find((d) => d.name === 'DP-SGD (sigma 1.1)')!;
  assert.deepEqual(t.dp, { maxGradNorm: 1, noiseMultiplier: 1.1, delta: 1e-5 });
  assert.ok(tab.some((d) => d.name === 'DP-SGD + CWRF (DP fine-tune, sigma 1.1)'));
});
