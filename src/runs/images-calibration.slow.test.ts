// Calibration of the image path against PyTorch (`npm run test:slow`): resnet20 with augmentation on 10,000
// CIFAR-10 members reaches the accuracy bench/peers/torch_cifar.py reaches with the same recipe, members,
// normalisation and epochs (within 2 points); a ViT learns. Epoch times are printed (CPU shared: expect noise).
// CWRF_CALIB_EPOCHS sets resnet20's epochs (default 5), CWRF_CALIB_POPULATION its population (default 20,000:
// 10,000 members); CWRF_CALIB_OUT keeps the runs in a directory, so an interrupted calibration resumes from its
// training checkpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noGrad, setThreads, tidy } from '../engine/index.ts';
import { writeNpy } from '../data/index.ts';
import { sharedFile } from '../data/test-helpers.ts';
import { defaultRecipe, loadData, memberRows, type Recipe } from '../train/index.ts';
import { train } from './run.ts';

const cifar = sharedFile('cifar10-jpeg/cifar10-jpeg.tar.gz');
const PEER = fileURLToPath(new URL('../../bench/peers/torch_cifar.py', import.meta.url));
const out = process.env.CWRF_CALIB_OUT ?? mkdtempSync(join(tmpdir(), 'cwrf-images-calibration-'));
setThreads(2);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Trains `recipe` in cwrf, then the PyTorch peer on the same (normalised) members and test rows. */
async function both(name: string, recipe: Recipe): Promise<{ cwrf: number; torch: number; cwrfEpoch: number; torchEpoch: number; members: number }> {
  const run = await train(recipe, { dataDir: cifar.dir!, out: join(out, name) });
  const data = await loadData(run.recipe, { dataDir: cifar.dir! });
  const dir = mkdtempSync(join(out, `${name}-peer-`));
  noGrad(() =>
    tidy(() => {
      const rows = memberRows(data, run.members);
      const xtr = data.x.indexSelect(0, rows);
      const xte = data.testX.indexSelect(0, data.test);
      writeFileSync(join(dir, 'xtr.npy'), writeNpy(xtr.toFloat32(), xtr.shape));
      writeFileSync(join(dir, 'ytr.npy'), writeNpy(Int32Array.from(data.y.indexSelect(0, rows).toFloat64()), [rows.shape[0]]));
      writeFileSync(join(dir, 'xte.npy'), writeNpy(xte.toFloat32(), xte.shape));
      writeFileSync(join(dir, 'yte.npy'), writeNpy(data.testLabels, [data.testLabels.length]));
    }),
  );
  const r = spawnSync('/usr/bin/python3', [PEER, dir, JSON.stringify({ ...run.recipe, threads: 2 })], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const peer = JSON.parse(r.stdout.trim().split('\n').pop()!) as { testAccuracy: number; epochSeconds: number[] };
  return {
    cwrf: run.metrics.testAccuracy,
    torch: peer.testAccuracy,
    cwrfEpoch: mean(run.metrics.history.map((h) => h.seconds)),
    torchEpoch: mean(peer.epochSeconds),
    members: run.metrics.members,
  };
}

const population = Number(process.env.CWRF_CALIB_POPULATION ?? 20000);

test(`resnet20 with flip + crop on ${population / 2} CIFAR-10 members: test accuracy within 2 points of PyTorch`, { skip: cifar.skip, timeout: 7_200_000 }, async () => {
  const epochs = Number(process.env.CWRF_CALIB_EPOCHS ?? 5);
  const recipe: Recipe = { ...defaultRecipe('cifar10', 'resnet20'), dataset: 'cifar10-jpeg', epochs, split: { seed: 0, referenceFraction: 0.1, populationSize: population } };
  const r = await both('resnet20', recipe);
  console.log(
    `resnet20, ${r.members} CIFAR-10 members, ${epochs} epochs (SGD 0.01 m0.9 wd5e-4, x0.1 at 50%/80%, batch 256, flip+crop, population-normalised): ` +
      `cwrf test ${r.cwrf.toFixed(4)} at ${r.cwrfEpoch.toFixed(1)} s/epoch; PyTorch test ${r.torch.toFixed(4)} at ${r.torchEpoch.toFixed(1)} s/epoch`,
  );
  assert.ok(Math.abs(r.cwrf - r.torch) <= 0.02, `cwrf ${r.cwrf} vs PyTorch ${r.torch}`);
  assert.ok(r.cwrf > 0.3, `resnet20 learns (test accuracy ${r.cwrf})`);
});

test('ViT (vit-tiny family, reduced for CPU: depth 4, dim 96, 8x8 patches) learns: test accuracy well above chance', { skip: cifar.skip, timeout: 7_200_000 }, async () => {
  const d = defaultRecipe('cifar10', 'vit-tiny');
  const recipe: Recipe = { ...d, dataset: 'cifar10-jpeg', model: { arch: 'vit-tiny', depth: 4, dim: 96, heads: 3, patch: 8 }, epochs: 5, split: { seed: 0, referenceFraction: 0.1, populationSize: 4000 } };
  const r = await both('vit', recipe);
  console.log(`ViT depth 4 dim 96 patch 8, ${r.members} members, 5 epochs (AdamW 1e-3 wd 0.05 cosine, batch 128, flip+crop): cwrf test ${r.cwrf.toFixed(4)} at ${r.cwrfEpoch.toFixed(1)} s/epoch; PyTorch ${r.torch.toFixed(4)} at ${r.torchEpoch.toFixed(1)} s/epoch`);
  assert.ok(r.cwrf > 0.2, `test accuracy ${r.cwrf} (chance 0.1)`);
});
