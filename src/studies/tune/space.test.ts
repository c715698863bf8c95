import { test } from 'node:test';
import assert from 'node:assert/strict';
import { METHODS, type MethodEntry } from '../../defenses/index.ts';
import type { CwrfStage } from '../../defenses/cwrf/cwrf.ts';
import { weightStage } from '../../defenses/cwrf/stage.ts';
import { DPSGD_TUNING } from '../../defenses/dpsgd/index.ts';
import { defaultRecipe, OBJECTIVES, type Recipe } from '../../train/index.ts';
import { InputError } from '../../util/errors.ts';
import { budgetModels, checkBudget, parseBudget, perModelSeconds } from './budget.ts';
import { buildSpace, candidateId, parseSpace, registrySources, spaceParameters } from './space.ts';

const recipe: Recipe = defaultRecipe('location');
const run = { recipe };
const src = registrySources('location');
const oneLine = (re: RegExp) => (e: Error) => e instanceof InputError && re.test(e.message) && !e.message.includes('\n');

test('the space walks the registries: every method, every objective and DP-SGD, each declared tunable at its grid', () => {
  const all = buildSpace(run);
  for (const m of METHODS.entries()) assert.ok(all.some((c) => c.settings.method === m.name), `method ${m.name} is searched`);
  for (const o of [...OBJECTIVES.names(), DPSGD_TUNING.name]) assert.ok(all.some((c) => c.settings.objective === o), `objective ${o} is searched`);
  const params = spaceParameters(src);
  for (const e of [...METHODS.entries(), ...OBJECTIVES.entries(), DPSGD_TUNING])
    for (const t of e.tunables) {
      assert.ok(params.has(t.name), `${e.name}'s ${t.name} is a --space parameter`);
      assert.ok(all.some((c) => c.settings[t.name] !== undefined), `${e.name}'s ${t.name} varies`);
    }
  // base defenses alone are the baselines; the run's own objective retrained is the run itself, not a candidate
  assert.deepEqual(all.filter((c) => c.baseline).map((c) => c.settings.method), Array(all.filter((c) => c.baseline).length).fill('retrain'));
  assert.ok(!all.some((c) => c.baseline && c.settings.objective === 'ce'));
  assert.equal(new Set(all.map((c) => c.id)).size, all.length, 'ids are unique');
  for (const c of all) assert.match(c.id, /^[A-Za-z0-9._-]+$/, 'ids are filesystem-safe');
  assert.deepEqual(buildSpace(run).map((c) => c.id), all.map((c) => c.id), 'the same space in the same order on a rerun');
  // a stage on the run's own objective applies to the run; on another objective it retrains that base first
  const onRun = all.find((c) => c.id === 'cwrf_ce_ratio-0.001_epochs-10_lr-factor-1')!;
  assert.ok('stage' in onRun.action && onRun.action.stage.method === 'cwrf');
  const onRelax = all.find((c) => c.id === 'rewind_relaxloss_alpha-1_ratio-0.001')!;
  assert.ok('retrain' in onRelax.action);
  assert.equal(onRelax.action.retrain.objective.name, 'relaxloss');
  assert.deepEqual(onRelax.action.retrain.defenses.map((d) => d.method), ['rewind']);
  // the default CWRF (lr-factor 1 = the recipe's rate, left out) is the same stage `cwrf defend --method cwrf` records
  assert.equal(onRun.action.stage.lr, undefined);
  const tenth = all.find((c) => c.id === 'cwrf_ce_ratio-0.001_epochs-10_lr-factor-0.1')!;
  assert.ok('stage' in tenth.action && Math.abs(Number(tenth.action.stage.lr) - recipe.optimizer.lr / 10) < 1e-15);
  const dp = all.find((c) => c.id === 'retrain_dpsgd_target-epsilon-4')!;
  assert.ok('retrain' in dp.action && dp.action.retrain.dp?.targetEpsilon === 4);
});

test('a newly registered method with tunables is searched without editing tune', () => {
  const fake: MethodEntry<CwrfStage> = {
    ...METHODS.get('rewind'),
    name: 'test-rewind',
    description: 'rewind only, registered again under another name by this test',
    tunables: [{ name: 'ratio', key: 'ratio', kind: 'number', min: 0, max: 1, grid: [0.002, 0.004], description: 'ratio' }],
    stage: weightStage(
      () => fake,
      (s) => Object.assign(s, { epochs: 0 }),
    ),
  };
  METHODS.add(fake);
  const got = buildSpace(run, parseSpace('method=test-rewind;objective=ce', registrySources('location')));
  assert.deepEqual(got.map((c) => c.id), ['test-rewind_ce_ratio-0.002', 'test-rewind_ce_ratio-0.004']);
  assert.ok(got.every((c) => 'stage' in c.action && c.action.stage.method === 'test-rewind' && c.action.stage.epochs === 0));
});

test('--space narrows the space; unknown parameters and values are one-line errors naming the valid ones', () => {
  const f = parseSpace('method=cwrf,rewind;objective=relaxloss,hamp;ratio=0.001,0.01', src);
  const got = buildSpace(run, f, src);
  assert.deepEqual([...new Set(got.map((c) => c.settings.method))], ['cwrf', 'retrain', 'rewind'], 'retraining baselines stay');
  assert.deepEqual([...new Set(got.map((c) => c.settings.objective))], ['relaxloss', 'hamp']);
  assert.deepEqual([...new Set(got.filter((c) => c.settings.ratio !== undefined).map((c) => c.settings.ratio))], [0.001, 0.01]);
  assert.equal(got.filter((c) => c.settings.method === 'cwrf').length, 2 * 3 * 2 * 3 * 2, 'objectives x their grid x ratios x epochs x lr');
  assert.deepEqual(buildSpace(run, parseSpace('method=rewind;objective=ce;ratio=0.005', src), src).map((c) => c.id), ['rewind_ce_ratio-0.005'], 'values off the grid');
  assert.throws(() => parseSpace('depth=3', src), oneLine(/unknown parameter 'depth' \(method, objective, ratio, epochs, lr-factor/));
  assert.throws(() => parseSpace('method=nope', src), oneLine(/method 'nope' is not one of cwrf, finetune-all, retrain, prune, rewind/));
  assert.throws(() => parseSpace('objective=xent', src), oneLine(/objective 'xent' is not one of ce, .*dpsgd/));
  assert.throws(() => parseSpace('ratio=2', src), oneLine(/ratio 2 is outside \[0, 1\]/));
  assert.throws(() => parseSpace('epochs=1.5', src), oneLine(/epochs '1.5' is not an integer/));
  assert.throws(() => parseSpace('ratio=', src), oneLine(/names no values/));
  assert.throws(() => parseSpace('ratio=0.1;ratio=0.2', src), oneLine(/given twice/));
  assert.equal(candidateId({ method: 'cwrf', objective: 'ce', ratio: 0.001, 'lr-factor': 0.1 }), 'cwrf_ce_ratio-0.001_lr-factor-0.1');
});

test('budgets: models, hours at the run\'s own per-model time, and one candidate at least', () => {
  assert.deepEqual(parseBudget('60models'), { models: 60 });
  assert.deepEqual(parseBudget('2h'), { seconds: 7200 });
  assert.deepEqual(parseBudget('90m'), { seconds: 5400 });
  assert.deepEqual(parseBudget('30s'), { seconds: 30 });
  assert.throws(() => parseBudget('lots'), oneLine(/expected a number of models/));
  assert.throws(() => parseBudget('1.5models'), oneLine(/whole number/));
  const s = perModelSeconds({ trainSeconds: 10, stages: [{ seconds: 2 }] });
  assert.equal(s, 12);
  assert.equal(budgetModels({ seconds: 3600 }, s), 300);
  assert.equal(budgetModels({ models: 7 }, s), 7);
  assert.throws(() => checkBudget(2, 2, 8, 2, "'2models'"), oneLine(/less than one candidate costs \(3/));
  checkBudget(3, 2, 8, 2, "'3models'");
});
