import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memberMask } from '../data/index.ts';
import { dpHooks } from '../defenses/dpsgd/dpsgd.ts';
import { defaultRecipe, loadData, trainModel, type LoopHooks, type Recipe } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cwrf-ckpt-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const weights = (m: { stateDict(): Record<string, { data: ArrayLike<number | bigint> }> }) =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v.data as ArrayLike<number>)]));
const losses = (h: { loss: number; accuracy: number }[]) => h.map((s) => [s.loss, s.accuracy]);

class Interrupt extends Error {}

/** Trains uninterrupted, then again with a crash after `stopAfter` epochs and a resume; both must agree bit for bit. */
async function resumeMatches(recipe: Recipe, hooks: (data: Awaited<ReturnType<typeof loadData>>, members: Uint8Array) => LoopHooks, name: string) {
  const data = await loadData(recipe, { limit: 800 });
  const members = memberMask(data.split.population.length, 1);
  const straight = trainModel(recipe, data, members, hooks(data, members));
  const spec = { file: join(dir, `${name}.checkpoint`), key: name, everySeconds: 0 };
  assert.throws(
    () =>
      trainModel(recipe, data, members, {
        ...hooks(data, members),
        onEpoch: (s) => {
          if (s.epoch === 1) throw new Interrupt('killed');
        },
      }, spec),
    Interrupt,
  );
  assert.ok(existsSync(spec.file), 'a checkpoint was written before the crash');
  const seen: number[] = [];
  const resumed = trainModel(recipe, data, members, { ...hooks(data, members), onEpoch: (s) => seen.push(s.epoch) }, spec);
  assert.deepEqual(seen, [1, 2, 3], 'the resumed run starts after the checkpointed epoch');
  assert.deepEqual(weights(resumed.model), weights(straight.model), 'resumed weights are bit-identical');
  assert.deepEqual(weights({ stateDict: () => resumed.init }), weights({ stateDict: () => straight.init }));
  assert.deepEqual(losses(resumed.history), losses(straight.history));
  return { data, members, spec, straight };
}

test('an interrupted training resumes from its checkpoint bit-identically (Adam, shuffling)', async () => {
  const recipe: Recipe = { ...defaultRecipe('synthetic'), model: { arch: 'mlp', hidden: [32], activation: 'tanh' }, epochs: 4, batchSize: 64 };
  const { data, members, spec, straight } = await resumeMatches(recipe, () => ({}), 'adam');

  // A checkpoint of another training (another key), or a damaged file, is ignored: training starts over.
  for (const prepare of [() => {}, () => writeFileSync(spec.file, 'not a checkpoint')]) {
    prepare();
    const seen: number[] = [];
    const again = trainModel(recipe, data, members, { onEpoch: (s) => seen.push(s.epoch) }, { ...spec, key: 'another training' });
    assert.deepEqual(seen, [0, 1, 2, 3]);
    assert.deepEqual(weights(again.model), weights(straight.model));
  }
});

test('DP-SGD with SGD momentum resumes bit-identically (Poisson sampling and noise streams restored)', async () => {
  const recipe: Recipe = {
    ...defaultRecipe('synthetic'),
    model: { arch: 'mlp', hidden: [16], activation: 'tanh' },
    optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 },
    epochs: 4,
    batchSize: 64,
  };
  await resumeMatches(recipe, (data, members) => dpHooks(recipe, { maxGradNorm: 1, noiseMultiplier: 1, delta: 1e-5 }, data, members), 'dp');
});
