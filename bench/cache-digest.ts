// What verifying a cache entry costs: reading a base-model entry (init + final weights) with and without
// its SHA-256 check, against training the model it holds (one epoch on 500 members of cifar10-jpeg).
// Usage: node --import tsx bench/cache-digest.ts [DATA_DIR]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, setThreads } from '../src/engine/index.ts';
import { memberMask } from '../src/data/index.ts';
import { decodeSafetensors, encodeSafetensors } from '../src/io/safetensors.ts';
import { withTempDir } from '../src/io/atomic.ts';
import { readEntry, writeEntry } from '../src/runs/cache.ts';
import { sha256Hex } from '../src/io/verified.ts';
import { buildModel, toStored, type StateEntry } from '../src/nn/index.ts';
import { defaultRecipe, loadData, trainModel } from '../src/train/index.ts';
import { median } from './timing.ts';

const dataDir = process.argv[2] ?? new URL('../../shared/data', import.meta.url).pathname;
setThreads(1);
const ms = (f: () => unknown, runs = 7) => {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return median(t);
};
const msAsync = async (f: () => Promise<unknown>, runs = 7) => {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  return median(t);
};

await withTempDir(async (dir) => {
  console.log('| model | entry MB | read + decode ms | read + SHA-256 check + decode ms | SHA-256 alone ms | one training epoch s (500 members) |');
  console.log('|---|---|---|---|---|---|');
  for (const arch of ['smallcnn', 'resnet20', 'resnet18'] as const) {
    const recipe = { ...defaultRecipe('cifar10-jpeg', arch), epochs: 1, split: { seed: 0, populationSize: 1000 } };
    const model = buildModel(recipe.model, [3, 32, 32], 10, new Generator(0));
    const state: Record<string, StateEntry> = {};
    for (const [k, v] of Object.entries(model.stateDict())) state[`init/${k}`] = state[`model/${k}`] = v;
    model.dispose();
    const file = join(dir, `${arch}.safetensors`);
    await writeEntry(file, encodeSafetensors(toStored(state), { history: '[]', trainSeconds: '0' }));
    const mb = readFileSync(file).length / 2 ** 20;
    const plain = ms(() => decodeSafetensors(readFileSync(file)));
    const checked = await msAsync(() => readEntry(file, (b) => decodeSafetensors(b)));
    const bytes = readFileSync(file);
    const hash = ms(() => sha256Hex(bytes));
    let epoch = NaN;
    if (arch !== 'resnet18') {
      const data = await loadData(recipe, { dataDir, limit: 1200 });
      const members = memberMask(data.split.population.length, 1);
      const t = trainModel(recipe, data, members, {});
      epoch = t.seconds;
      t.model.dispose();
    }
    console.log(`| ${arch} | ${mb.toFixed(1)} | ${plain.toFixed(1)} | ${checked.toFixed(1)} | ${hash.toFixed(1)} | ${Number.isNaN(epoch) ? 'not run' : epoch.toFixed(1)} |`);
  }
});
