import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRecipe } from '../train/index.ts';
import type { CwrfStage } from '../defenses/index.ts';
import { benchDefenses, benchPlan, datasetFamily, dpModel, gridRows, objectiveMissing, parseGrid, planHours, sweepRows } from './bench-rows.ts';
import { selectDefenses, slug, type BenchRow } from './bench.ts';
import { benchMarkdown, summarizeBench, sweepMarkdown } from '../report/bench-summary.ts';
import { benchComplete, benchDoc } from '../report/bench-doc.ts';

const IMAGE_ROWS = [
  'none', 'RelaxLoss', 'RelaxLoss + CWRF', 'CCL', 'CCL + CWRF', 'HAMP', 'HAMP + CWRF', 'DP-SGD', 'DP-SGD + CWRF',
  'CWRF rewind only', 'RelaxLoss + CWRF rewind only', 'CCL + CWRF rewind only', 'RelaxLoss + fine-tune-all', 'prune',
];

test('the dataset picks the row set: images get issue 14 rows, tabular data the Location rows', () => {
  assert.equal(datasetFamily('cifar10-jpeg'), 'image');
  assert.equal(datasetFamily('cifar100'), 'image');
  assert.equal(datasetFamily('imagefolder:/x'), 'image');
  assert.equal(datasetFamily('location'), 'tabular');
  assert.equal(datasetFamily('csv:/a.csv'), 'tabular');
  assert.deepEqual(benchDefenses('cifar10-jpeg').map((d) => d.name), IMAGE_ROWS);
  assert.equal(benchDefenses('location')[0].name, 'none');
  assert.ok(benchDefenses('location').some((d) => d.name === 'CWRF rewind only (no fine-tune)'));
  assert.equal(new Set(IMAGE_ROWS.map(slug)).size, IMAGE_ROWS.length, 'row ids are distinct');
});

test('image rows: DP-SGD bases swap BatchNorm for GroupNorm (dpModel); stages carry the defaults; RelaxLoss uses its image form', () => {
  const rows = benchDefenses('cifar10-jpeg', 5);
  const r = { ...defaultRecipe('cifar10-jpeg'), objective: rows[1].base };
  assert.ok(rows.find((d) => d.name === 'DP-SGD')!.dp);
  assert.deepEqual(dpModel({ arch: 'resnet18' }), { arch: 'resnet18', norm: 'group' });
  assert.deepEqual(dpModel({ arch: 'smallcnn', norm: 'none' }), { arch: 'smallcnn', norm: 'none' });
  assert.deepEqual(dpModel({ arch: 'mlp' }), { arch: 'mlp' });
  assert.deepEqual(rows[1].base, { name: 'relaxloss', alpha: 1, upper: 1, variant: 'image' });
  const cwrf = rows.find((d) => d.name === 'RelaxLoss + CWRF')!.stage!(r) as unknown as CwrfStage;
  assert.equal(cwrf.method, 'cwrf');
  assert.equal(cwrf.epochs, 5);
  assert.equal(cwrf.ratio, 0.001);
  assert.equal((rows.find((d) => d.name === 'prune')!.stage!(r) as unknown as CwrfStage).score, 'tfo');
  assert.equal((rows.find((d) => d.name === 'RelaxLoss + fine-tune-all')!.stage!(r) as unknown as CwrfStage).ratio, 0);
});

test('objectiveMissing: known objectives train, unknown ones say why', () => {
  assert.equal(objectiveMissing({ name: 'ce' }), null);
  assert.equal(objectiveMissing({ name: 'relaxloss', alpha: 1, upper: 1 }), null);
  assert.match(objectiveMissing({ name: 'nosuch' } as never) ?? '', /unknown objective 'nosuch'/);
});

test('sweep: ratio and lambda points off the default, for the swept rows only', () => {
  const rows = benchDefenses('cifar10-jpeg');
  const pts = sweepRows(rows, ['ratio', 'lambda'], { ratio: 0.001, lambda: 0.5 });
  assert.deepEqual(pts.map((p) => p.name), [
    'RelaxLoss + CWRF [r 1%]', 'RelaxLoss + CWRF [r 3%]', 'RelaxLoss + CWRF [lambda 0.1]', 'RelaxLoss + CWRF [lambda 0.9]',
    'CCL + CWRF [r 1%]', 'CCL + CWRF [r 3%]', 'CCL + CWRF [lambda 0.1]', 'CCL + CWRF [lambda 0.9]',
  ]);
  const r = { ...defaultRecipe('cifar10-jpeg'), objective: rows[1].base };
  const s1 = pts[1].stage!(r) as unknown as CwrfStage;
  assert.equal(s1.ratio, 0.03);
  assert.equal(s1.pve.lambda, 0.5);
  const s2 = pts[3].stage!(r) as unknown as CwrfStage;
  assert.equal(s2.ratio, 0.001);
  assert.equal(s2.pve.lambda, 0.9);
  assert.equal(selectDefenses('cifar10-jpeg', { only: ['relaxloss-cwrf'], sweep: ['lambda'] }).length, 3);
  assert.throws(() => selectDefenses('cifar10-jpeg', { only: ['relaxloss-cwrf-x'] }), /unknown bench row 'relaxloss-cwrf-x'/);
});

const row = (defense: string, seed: number, auc: number, sweep?: BenchRow['sweep']): BenchRow => ({
  defense,
  seed,
  testAccuracy: 0.7,
  trainAccuracy: 0.9,
  relativeCost: 0.2,
  attacks: { 'lira-online-fixed': { auc, tprAt0_1pct: 0.01, tprAt1pct: 0.05 }, 'rmia-online': { auc, tprAt0_1pct: 0.01, tprAt1pct: 0.05 }, loss: { auc, tprAt0_1pct: 0, tprAt1pct: 0 } },
  ...(sweep ? { sweep } : {}),
});

test('a partial table says partial, what is left out and how to continue; the sweep table puts the main row at the default', () => {
  const rows = [row('none', 0, 0.8), row('RelaxLoss + CWRF', 0, 0.7), row('RelaxLoss + CWRF [r 1%]', 0, 0.65, { of: 'RelaxLoss + CWRF', param: 'ratio', value: 0.01 })];
  const result = { rows, missing: [{ defense: 'CCL', seed: null, why: "unknown objective 'ccl'" }, { defense: 'none', seed: 1, why: 'not trained yet' }], planned: 6 };
  assert.equal(benchComplete(result), false);
  const md = benchDoc({ dataset: 'cifar10-jpeg', family: 'image', command: 'cwrf bench --dataset cifar10-jpeg', machine: 'm', minutes: 1, recipe: 'r', settings: 's', result, defaults: { ratio: 0.001, lambda: 0.5 } });
  assert.match(md, /^# Privacy-utility benchmark: cifar10-jpeg \(partial\)/);
  assert.match(md, /3 of 6 \(row, seed\) cells finished; 1 rows left out/);
  assert.match(md, /left out: CCL \(unknown objective 'ccl'\)/);
  assert.match(md, /not finished: none \(seed 1\)/);
  assert.match(md, /Continue .*`cwrf bench --dataset cifar10-jpeg`/);
  assert.doesNotMatch(md.split('## Sensitivity')[0], /\[r 1%\]/, 'sweep points stay out of the main table');
  const sw = sweepMarkdown(rows, { ratio: 0.001, lambda: 0.5 });
  assert.deepEqual(sw.split('\n').slice(2).map((l) => l.split('|')[3].trim()), ['0.1% (default)', '1%']);
  assert.equal(summarizeBench(rows).length, 3);
  assert.ok(benchComplete({ rows, missing: [], planned: 3 }));
});

test('benchPlan counts base models once per seed, every stage per model, DP epochs apart', () => {
  const r = { ...defaultRecipe('location'), epochs: 10, batchSize: 100 };
  const rows = benchDefenses('location', 5).filter((d) => ['none', 'RelaxLoss + CWRF', 'RelaxLoss'].includes(d.name));
  const p = benchPlan(rows, 1, 2, r, { members: 1000, population: 2000, test: 500, queries: 1 });
  assert.equal(p.trainings, 6); // ce and relaxloss bases, target + 2 references each
  assert.equal(p.stages, 3);
  assert.equal(p.scorings, 3);
  assert.equal(p.epochs, 6 * 10 + 3 * 5);
  assert.equal(p.dpEpochs, 0);
  assert.equal(p.scoreEpochs, (3 * 2 * 20) / 10); // PVE: 20 iterations, 2 passes each, 10 steps per epoch
  assert.equal(p.evalEpochs, (9 * 2500) / 3000);
  const dp = benchPlan(benchDefenses('location', 5).filter((d) => d.dp), 2, 2, r, { members: 1000, population: 2000, test: 500, queries: 1 });
  assert.equal(dp.dpEpochs, 2 * 3 * 10 + 2 * 3 * 5);
  assert.equal(planHours({ ...p, scoreEpochs: 0, evalEpochs: 0 }, 36, 1), (75 * 36) / 3600);
});

test('--pve-lr reaches every PVE-scored stage of the table, and only when given', () => {
  const recipe = defaultRecipe('cifar10-jpeg');
  const lrs = (pveLr?: number) =>
    selectDefenses('cifar10-jpeg', { pveLr }).flatMap((d) => {
      const s = d.stage?.(recipe) as { score?: string; method?: string; pve?: { lr?: number } } | undefined;
      return s?.score === 'pve' && s.method !== 'finetune-all' ? [s.pve?.lr] : [];
    });
  assert.ok(lrs(0.001).length >= 5);
  assert.ok(lrs(0.001).every((lr) => lr === 0.001));
  assert.ok(lrs().every((lr) => lr === undefined), 'unset: the recipe key is unchanged');
  const ftAll = selectDefenses('cifar10-jpeg', { pveLr: 0.001, only: ['relaxloss-fine-tune-all'] })[0].stage!(recipe) as { pve?: { lr?: number } };
  assert.equal(ftAll.pve?.lr, undefined, 'fine-tune-all ranks nothing: its recipe does not change');
});

test('--ft-lr reaches every stage that fine-tunes (CWRF, fine-tune-all), not rewind or prune, and only when given', () => {
  const recipe = defaultRecipe('cifar10-jpeg');
  const stages = (ftLr?: number) => selectDefenses('cifar10-jpeg', { ftLr }).flatMap((d) => (d.stage ? [d.stage(recipe) as { method: string; lr?: number }] : []));
  const tuned = stages(0.01).filter((s) => s.lr === 0.01).map((s) => s.method);
  assert.deepEqual([...new Set(tuned)].sort(), ['cwrf', 'finetune-all']);
  assert.ok(stages(0.01).filter((s) => s.method === 'rewind' || s.method === 'prune').every((s) => s.lr === undefined));
  assert.ok(stages().every((s) => s.lr === undefined), 'unset: the recipe key is unchanged');
});

test('resnet20 (SGD, multistep): the table without --pve-lr is the table run with --pve-lr 0.001 (same stages, same cache keys)', () => {
  const r = defaultRecipe('cifar10-jpeg', 'resnet20');
  const recipe = { ...r, epochs: 20, optimizer: { ...r.optimizer, lr: 0.1 } };
  const stages = (pveLr?: number) => selectDefenses('cifar10-jpeg', { pveLr, ftEpochs: 4 }).map((d) => JSON.stringify(d.stage?.(recipe) ?? null));
  assert.deepEqual(stages(), stages(0.001));
});

test('the sweep compares like with like: the default point is the main row over the sweep seeds; one seed shows no ± 0', () => {
  const rows = [row('RelaxLoss + CWRF', 0, 0.6), row('RelaxLoss + CWRF', 1, 0.7), row('RelaxLoss + CWRF [r 1%]', 0, 0.55, { of: 'RelaxLoss + CWRF', param: 'ratio', value: 0.01 })];
  const lines = sweepMarkdown(rows, { ratio: 0.001, lambda: 0.5 }).split('\n').slice(2);
  const cells = lines.map((l) => l.split('|').map((c) => c.trim()));
  assert.deepEqual(cells.map((c) => [c[3], c[4], c[6]]), [['0.1% (default)', '1', '60.00'], ['1%', '1', '55.00']], 'seed 0 of the main row only, no ± for one seed');
  assert.match(benchMarkdown(rows.slice(0, 2)), /\| 65\.00 ± 7\.07 \|/);
});

test('resnet20 over 20 epochs: the table without --ft-epochs is the table run with --ft-epochs 4 (the family default)', () => {
  const r = defaultRecipe('cifar10-jpeg', 'resnet20');
  const recipe = { ...r, epochs: 20, optimizer: { ...r.optimizer, lr: 0.1 } };
  const stages = (ftEpochs?: number) => selectDefenses('cifar10-jpeg', { ftEpochs }).map((d) => JSON.stringify(d.stage?.(recipe) ?? null));
  assert.deepEqual(stages(), stages(4));
  assert.notDeepEqual(stages(), stages(10));
});

test('trade-off grid: every combination on the CWRF row, one control per (epochs, lr), the recipe lr left unset', () => {
  const rows = benchDefenses('cifar10-jpeg');
  const grid = gridRows(rows, [parseGrid('ratio=0.001,0.01;epochs=2,5;lr=recipe,0.0001')], ['RelaxLoss + CWRF']);
  const cwrf = grid.filter((d) => !d.grid!.control);
  const controls = grid.filter((d) => d.grid!.control);
  assert.equal(cwrf.length, 8);
  assert.equal(controls.length, 4);
  assert.ok(grid.some((d) => d.name === 'RelaxLoss + CWRF {r 1%, 5 ep, lr 0.0001}'));
  assert.ok(grid.some((d) => d.name === 'RelaxLoss + fine-tune-all {2 ep, lr recipe}'));
  const r = { ...defaultRecipe('cifar10-jpeg'), objective: rows[1].base };
  const point = grid.find((d) => d.name === 'RelaxLoss + CWRF {r 1%, 5 ep, lr 0.0001}')!.stage!(r) as unknown as CwrfStage;
  assert.deepEqual([point.method, point.ratio, point.epochs, point.lr], ['cwrf', 0.01, 5, 0.0001]);
  const control = grid.find((d) => d.name === 'RelaxLoss + fine-tune-all {5 ep, lr 0.0001}')!.stage!(r) as unknown as CwrfStage;
  assert.deepEqual([control.method, control.ratio, control.epochs, control.lr], ['finetune-all', 0, 5, 0.0001]);
  assert.deepEqual(control.objective, point.objective);
  // the recipe's own rate is not recorded, so the stage (and its cache key) is the main row's when the rest match
  const atRecipe = grid.find((d) => d.name === 'RelaxLoss + CWRF {r 0.1%, 2 ep, lr recipe}')!.stage!(r) as unknown as CwrfStage;
  const main = rows.find((d) => d.name === 'RelaxLoss + CWRF')!.stage!(r) as unknown as CwrfStage;
  assert.deepEqual(atRecipe, { ...main, epochs: 2 });
  assert.throws(() => parseGrid('ratio=2'), /fraction in \(0, 1\)/);
  assert.throws(() => parseGrid('depth=3'), /AXIS=V/);
  assert.throws(() => gridRows(rows, [parseGrid('ratio=0.01')], ['none']), /not a CWRF row/);
});
