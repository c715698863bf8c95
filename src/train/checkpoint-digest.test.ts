import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { memberMask } from '../data/index.ts';
import { sharedFile } from '../data/test-helpers.ts';
import { withTempDir } from '../io/atomic.ts';
import { digestFile } from '../io/verified.ts';
import { setNoticeSink } from '../util/notice.ts';
import { defaultRecipe, loadData, trainModel, type Recipe } from './index.ts';

const location = sharedFile('location/dataset_location.tgz');
const SHARED = location.dir ?? '';
class Interrupt extends Error {}

test('a checkpoint whose bytes changed (same size) is reported and ignored: training starts over and ends as an uninterrupted one', { skip: location.skip }, async () => {
  await withTempDir(async (dir) => {
    const lines: string[] = [];
    setNoticeSink((l) => lines.push(l));
    const recipe: Recipe = { ...defaultRecipe('location'), model: { arch: 'mlp', hidden: [16], activation: 'tanh' }, epochs: 3, batchSize: 64 };
    const data = await loadData(recipe, { dataDir: SHARED, limit: 600 });
    const members = memberMask(data.split.population.length, 1);
    const straight = trainModel(recipe, data, members, {});
    const spec = { file: join(dir, 'ck'), key: 'k', everySeconds: 0 };
    const stop = (s: { epoch: number }) => {
      if (s.epoch === 1) throw new Interrupt('killed');
    };
    assert.throws(() => trainModel(recipe, data, members, { onEpoch: stop }, spec), Interrupt);
    assert.match(readFileSync(digestFile(spec.file), 'utf8'), /^[0-9a-f]{64}\n$/);
    const b = readFileSync(spec.file);
    for (let i = b.length - 600; i < b.length - 100; i++) b[i] ^= 0xff;
    writeFileSync(spec.file, b);
    const seen: number[] = [];
    const again = trainModel(recipe, data, members, { onEpoch: (s) => seen.push(s.epoch) }, spec);
    assert.deepEqual(seen, [0, 1, 2], 'started over');
    assert.deepEqual(again.model.stateDict(), straight.model.stateDict());
    assert.equal(lines.length, 1);
    assert.match(lines[0], /checkpoint .*ck is damaged \(its bytes do not match their SHA-256\): discarded, training from the start/);
  });
});
