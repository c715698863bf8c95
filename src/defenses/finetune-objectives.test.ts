// A CWRF fine-tune with each objective (CE, label smoothing, RelaxLoss, CCL in both forms, HAMP) keeps the rewound
// weights bit-identical to their initial values while the others move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRecipe, loadData, trainModel, type ObjectiveSpec, type Recipe } from '../train/index.ts';
import { memberMask } from '../data/index.ts';
import { applyCwrf, criticalMasks, cwrfStage, scoreModel } from './index.ts';

const recipe: Recipe = { ...defaultRecipe('synthetic'), model: { arch: 'mlp', hidden: [32, 16], activation: 'tanh' }, epochs: 1 };
const OBJECTIVES: ObjectiveSpec[] = [
  { name: 'ce' },
  { name: 'label-smoothing', smoothing: 0.1 },
  { name: 'relaxloss', alpha: 1, upper: 0.3 },
  { name: 'ccl', alpha: 0.5, beta: 0.05, form: 'exp' },
  { name: 'ccl', alpha: 0.3, beta: 1, form: 'quadratic' },
  { name: 'hamp', gamma: 0.5, alpha: 0.001 },
];

test('CWRF fine-tune with every objective keeps frozen weights bit-identical', async () => {
  const data = await loadData(recipe);
  const members = memberMask(data.split.population.length, 1);
  for (const objective of OBJECTIVES) {
    const trained = trainModel(recipe, data, members);
    const ctx = { recipe, data, members, trained };
    const stage = cwrfStage('cwrf', { score: 'magnitude', ratio: 0.05, epochs: 1, objective }, recipe);
    const masks = criticalMasks(scoreModel(stage, ctx), stage);
    const crit = Object.fromEntries([...masks].map(([k, m]) => [k, m.toFloat32()]));
    const before = Object.fromEntries(Object.entries(trained.model.stateDict()).map(([k, v]) => [k, Float32Array.from(v.data as Float32Array)]));
    const { history } = applyCwrf(stage, ctx);
    assert.ok(Number.isFinite(history[0].loss), `${objective.name}: loss ${history[0].loss}`);
    const after = trained.model.stateDict();
    let frozen = 0;
    let moved = 0;
    for (const [name, mask] of Object.entries(crit)) {
      const init = trained.init[name].data as Float32Array;
      const now = after[name].data as Float32Array;
      mask.forEach((m, i) => {
        if (m) {
          assert.ok(Object.is(now[i], init[i]), `${JSON.stringify(objective)}: ${name}[${i}] left its initial value`);
          frozen++;
        } else if (now[i] !== before[name][i]) moved++;
      });
    }
    assert.ok(frozen > 0 && moved > 0, `${objective.name}: frozen ${frozen}, moved ${moved}`);
    trained.model.dispose();
  }
});
