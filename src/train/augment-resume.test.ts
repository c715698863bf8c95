import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memberMask, writeNpy } from '../data/index.ts';
import { Rng } from '../util/rng.ts';
import { defaultRecipe, loadData, trainModel, type Recipe } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cwrf-aug-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

class Interrupt extends Error {}
const weights = (m: { stateDict(): Record<string, { data: ArrayLike<number | bigint> }> }) =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v.data as ArrayLike<number>)]));

test('augmented training replays from its seed and resumes bit-identically; another seed draws other augmentations', async () => {
  const rng = new Rng(3);
  const n = 96;
  writeFileSync(join(dir, 'x.npy'), writeNpy(Float32Array.from({ length: n * 3 * 8 * 8 }, () => rng.uniform()), [n, 3, 8, 8]));
  writeFileSync(join(dir, 'y.npy'), writeNpy(Int32Array.from({ length: n }, (_, i) => i % 2), [n]));
  const recipe: Recipe = {
    ...defaultRecipe('npy:x'),
    dataset: `npy:${join(dir, 'x.npy')},${join(dir, 'y.npy')}`,
    model: { arch: 'resnet20', width: 0.25, norm: 'group' },
    optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 },
    augment: { flip: true, crop: true, pad: 2 },
    normalize: 'population',
    epochs: 3,
    batchSize: 16,
  };
  const data = await loadData(recipe);
  assert.equal(data.normalization?.mean.length, 3);
  const members = memberMask(data.split.population.length, 1);
  const a = trainModel(recipe, data, members);
  const b = trainModel(recipe, data, members);
  assert.deepEqual(weights(a.model), weights(b.model), 'same recipe, same weights');
  const noAug = trainModel({ ...recipe, augment: undefined }, data, members);
  assert.notDeepEqual(weights(noAug.model), weights(a.model), 'augmentation changes training');
  const spec = { file: join(dir, 'ck'), key: 'aug', everySeconds: 0 };
  assert.throws(
    () =>
      trainModel(recipe, data, members, { onEpoch: (s) => {
        if (s.epoch === 1) throw new Interrupt('killed');
      } }, spec),
    Interrupt,
  );
  assert.ok(existsSync(spec.file));
  const resumed = trainModel(recipe, data, members, {}, spec);
  assert.deepEqual(weights(resumed.model), weights(a.model), 'resumed weights are bit-identical (augmentation stream restored)');
});
