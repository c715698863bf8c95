import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchDoc } from './bench-doc.ts';
import { goalChecks, goalMarkdown, perSeedMarkdown, rewindEffectMarkdown, rewindEffects, type BenchRow } from './bench-summary.ts';

const row = (defense: string, seed: number, withIntervals: boolean): BenchRow => ({
  defense,
  seed,
  testAccuracy: 0.5,
  trainAccuracy: 0.9,
  relativeCost: 1,
  attacks: {
    'lira-online-fixed': { auc: 0.8, tprAt0_1pct: 0.02, tprAt1pct: 0.1, ...(withIntervals ? { intervals: { auc: { low: 0.79, high: 0.81 }, tprAt0_1pct: { low: 0.01, high: 0.035 } } } : {}) },
    'rmia-online': { auc: 0.7, tprAt0_1pct: 0.01, tprAt1pct: 0.05 },
  },
});

test('per-seed cells show their 95% intervals where the audit has them', () => {
  const md = perSeedMarkdown([row('none', 0, true), row('none', 1, false)]);
  const lines = md.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[2], /^\| none \| 0 \| 50\.00 \| 80\.00 \[79\.00, 81\.00\] \| 2\.00 \[1\.00, 3\.50\] \| 70\.00 \| 1\.00 \|$/);
  assert.match(lines[3], /^\| none \| 1 \| 50\.00 \| 80\.00 \| 2\.00 \| 70\.00 \| 1\.00 \|$/);
  const doc = benchDoc({
    dataset: 'd',
    family: 'image',
    command: 'cwrf bench',
    machine: 'm',
    minutes: 1,
    recipe: '',
    settings: '',
    result: { rows: [row('none', 0, true)], missing: [], planned: 1 },
    defaults: { ratio: 0.001, lambda: 0.5 },
  });
  assert.ok(doc.includes('## Per seed, with 95% intervals') && doc.includes('80.00 [79.00, 81.00]'));
});

test('goal check pairs X + CWRF with X by seed: met only when AUC and TPR drop at <= 1 point of accuracy', () => {
  const at = (defense: string, seed: number, acc: number, auc: number, tpr: number): BenchRow => ({
    ...row(defense, seed, false),
    testAccuracy: acc,
    attacks: { 'lira-online-fixed': { auc, tprAt0_1pct: tpr, tprAt1pct: 0 } },
  });
  const rows = [
    at('RelaxLoss', 0, 0.6, 0.8, 0.02),
    at('RelaxLoss', 1, 0.6, 0.8, 0.02),
    at('RelaxLoss + CWRF', 0, 0.595, 0.75, 0.01), // -0.5 points: met
    at('RelaxLoss + CWRF', 1, 0.58, 0.7, 0.01), // -2 points: not met
    { ...at('RelaxLoss + fine-tune-all {5 ep, lr recipe}', 0, 0.6, 0.7, 0.01), grid: { of: 'RelaxLoss + CWRF', control: true, epochs: 5 } },
  ];
  const checks = goalChecks(rows);
  assert.equal(checks.length, 1);
  assert.deepEqual(checks[0].diffs.map((d) => d.met), [true, false]);
  assert.ok(Math.abs(checks[0].diffs[1].acc + 0.02) < 1e-12);
  assert.match(goalMarkdown(rows), /\| RelaxLoss \+ CWRF \| RelaxLoss \| −1\.25 ± 1\.06 \|.*\| 1 of 2 seeds \|/);
});

test('rewind effect pairs each grid point with its control (same epochs and rate) on the same seed', () => {
  const at = (defense: string, seed: number, acc: number, auc: number, tpr: number, grid: BenchRow['grid']): BenchRow => ({
    ...row(defense, seed, false),
    testAccuracy: acc,
    attacks: { 'lira-online-fixed': { auc, tprAt0_1pct: tpr, tprAt1pct: 0 } },
    grid,
  });
  const of = 'RelaxLoss + CWRF';
  const rows = [
    at('RelaxLoss + CWRF {r 1%, 5 ep, lr recipe}', 0, 0.55, 0.66, 0.01, { of, control: false, ratio: 0.01, epochs: 5 }),
    at('RelaxLoss + CWRF {r 1%, 5 ep, lr recipe}', 1, 0.54, 0.64, 0.01, { of, control: false, ratio: 0.01, epochs: 5 }),
    at('RelaxLoss + fine-tune-all {5 ep, lr recipe}', 0, 0.56, 0.7, 0.02, { of, control: true, epochs: 5 }),
    at('RelaxLoss + fine-tune-all {5 ep, lr recipe}', 1, 0.56, 0.7, 0.015, { of, control: true, epochs: 5 }),
    // a control at another rate must not be paired with the 5-epoch recipe-rate point
    at('RelaxLoss + fine-tune-all {5 ep, lr 0.0001}', 0, 0.5, 0.5, 0.0, { of, control: true, epochs: 5, lr: 0.0001 }),
    // a point with no control on its seed is left out
    at('RelaxLoss + CWRF {r 1%, 2 ep, lr recipe}', 0, 0.55, 0.66, 0.01, { of, control: false, ratio: 0.01, epochs: 2 }),
  ];
  const e = rewindEffects(rows);
  assert.equal(e.length, 1);
  assert.equal(e[0].control, 'RelaxLoss + fine-tune-all {5 ep, lr recipe}');
  assert.deepEqual(e[0].diffs.map((d) => d.seed), [0, 1]);
  assert.ok(Math.abs(e[0].diffs[0].auc + 0.04) < 1e-12 && Math.abs(e[0].diffs[1].acc + 0.02) < 1e-12);
  assert.match(rewindEffectMarkdown(rows), /\| RelaxLoss \+ CWRF \{r 1%, 5 ep, lr recipe\} \| RelaxLoss \+ fine-tune-all \{5 ep, lr recipe\} \| −1\.50 ± 0\.71 \| −5\.00 ± 1\.41 \|/);
});
