import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRecipe, type DefenseStage, type Recipe } from '../../train/index.ts';
import { cwrfStage, METHODS, upgradeRecipe } from './index.ts';

const dp = { maxGradNorm: 1, noiseMultiplier: 1, delta: 1e-5 };

test('DP-SGD has one encoding: a legacy {name: dpsgd} stage objective becomes objective ce + stage.dp', () => {
  const base: Recipe = { ...defaultRecipe('location'), dp };
  const s = cwrfStage('cwrf', { objective: { name: 'dpsgd' } }, base);
  assert.deepEqual([s.objective, s.dp], [{ name: 'ce' }, dp]);
  assert.throws(() => cwrfStage('cwrf', { objective: { name: 'dpsgd' } }, defaultRecipe('location')), /needs DP settings/);
  const legacy: Recipe = { ...base, defenses: [{ ...s, objective: { name: 'dpsgd' }, dp: undefined } as unknown as DefenseStage] };
  // the old CLI put the fine-tune's DP settings in recipe.dp too: the base was not trained with DP-SGD
  const up = upgradeRecipe(legacy, [{ epoch: 0, lr: 1, loss: 1, accuracy: 0, seconds: 0 }]);
  assert.equal(up.dp, undefined);
  assert.deepEqual([up.defenses[0].objective, up.defenses[0].dp], [{ name: 'ce' }, dp]);
  // a DP-SGD base (its history records epsilon) keeps recipe.dp
  assert.deepEqual(upgradeRecipe(legacy, [{ epoch: 0, lr: 1, loss: 1, accuracy: 0, seconds: 0, epsilon: 3 }]).dp, dp);
  assert.equal(upgradeRecipe(base, []), base, 'current recipes are returned as they are');
});

test('stage methods fix their choices; retrain is not a stage', () => {
  const r = defaultRecipe('location');
  assert.deepEqual(
    ['cwrf', 'finetune-all', 'prune', 'rewind'].map((m) => {
      const s = cwrfStage(m, {}, r);
      return [s.ratio, s.epochs, s.rewind, s.score, s.scope];
    }),
    [
      [0.001, 10, 'init', 'pve', 'rest'],
      [0, 10, 'init', 'pve', 'all'],
      [0.001, 0, 'zero', 'tfo', 'rest'],
      [0.001, 0, 'init', 'pve', 'rest'],
    ],
  );
  assert.throws(() => cwrfStage('retrain', {}, r), /not a weight-level stage/);
  assert.deepEqual(METHODS.get('retrain').retrain!(r, { name: 'relaxloss', alpha: 1, upper: 0.3 }).objective.name, 'relaxloss');
});

test("PVE's copy defaults to the rate a step-decayed SGD recipe ends with; other recipes and explicit rates unchanged", () => {
  const r20: Recipe = { ...defaultRecipe('cifar10-jpeg', 'resnet20'), epochs: 20, optimizer: { ...defaultRecipe('cifar10-jpeg', 'resnet20').optimizer, lr: 0.1 } };
  assert.equal(cwrfStage('cwrf', {}, r20).pve.lr, 0.001, '0.1 x 0.1 x 0.1, rounded (not 0.0010000000000000002)');
  assert.equal(cwrfStage('rewind', {}, r20).pve.lr, 0.001);
  assert.equal(cwrfStage('cwrf', { pve: { ...cwrfStage('cwrf', {}, r20).pve, lr: 0.05 } }, r20).pve.lr, 0.05, 'explicit wins');
  assert.equal(cwrfStage('cwrf', { pve: { start: 'target', anchor: 'target', lambda: 0.5, iters: 20, lr: undefined } }, r20).pve.lr, 0.001, 'an unset flag is not explicit');
  assert.equal(cwrfStage('finetune-all', {}, r20).pve.lr, undefined, 'fine-tune-all ranks nothing: its record does not change');
  assert.equal(cwrfStage('prune', { score: 'tfo' }, r20).pve.lr, undefined);
  assert.equal(cwrfStage('cwrf', {}, { ...r20, schedule: { name: 'cosine' } }).pve.lr, undefined, 'cosine: the initial rate');
  assert.equal(cwrfStage('cwrf', {}, defaultRecipe('location')).pve.lr, undefined, 'Adam, constant: the initial rate, nothing recorded');
  assert.equal(cwrfStage('cwrf', {}, { ...r20, epochs: 1 }).pve.lr, undefined, 'one epoch: no decay reached');
});

test('fine-tune length per family: image ResNets/WRN a fifth of the training epochs unless given; MLPs and ViTs 10', () => {
  const r20: Recipe = { ...defaultRecipe('cifar10-jpeg', 'resnet20'), epochs: 20 };
  assert.equal(cwrfStage('cwrf', {}, r20).epochs, 4);
  assert.equal(cwrfStage('finetune-all', {}, r20).epochs, 4, 'the control fine-tunes as long');
  assert.equal(cwrfStage('cwrf', { epochs: 10 }, r20).epochs, 10, 'given wins');
  assert.equal(cwrfStage('cwrf', { epochs: undefined }, r20).epochs, 4, 'an unset flag is not given');
  assert.equal(cwrfStage('cwrf', {}, { ...r20, epochs: 2 }).epochs, 1, 'at least one epoch');
  assert.equal(cwrfStage('rewind', {}, r20).epochs, 0);
  assert.equal(cwrfStage('cwrf', {}, defaultRecipe('location')).epochs, 10);
  assert.equal(cwrfStage('cwrf', {}, defaultRecipe('cifar10-jpeg', 'vit-tiny')).epochs, 10);
});
