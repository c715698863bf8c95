// cwrf's training step against PyTorch's, step by step: resnet20 (the authors' CIFAR recipe scaled to 5
// epochs, no augmentation) from the same initial weights on the same batches gives the losses and final
// eval-mode logits bench/peers/torch_cifar.py recorded in fixtures/resnet20-lockstep.json (PyTorch 1.13 on
// the same libtorch). Covers init, conv/BatchNorm (momentum, eps, eval statistics), weight decay on every
// parameter, SGD momentum, mean loss, and the multistep schedule's rounding (x0.1 at round(2.5) = epoch 3).
// CWRF_RECORD_TORCH=1 re-records the fixture by running the peer (needs /usr/bin/python3 with torch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from '../engine/index.ts';
import { writeNpy, writeNpz } from '../data/index.ts';
import { buildModel } from '../nn/index.ts';
import { lrAt, makeOptimizer } from '../optim/index.ts';
import { backwardStep, fit, predictLogits } from './loop.ts';
import { makeObjective } from './objectives/index.ts';
import { defaultRecipe } from './presets.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/resnet20-lockstep.json', import.meta.url));
const PEER = fileURLToPath(new URL('../../bench/peers/torch_cifar.py', import.meta.url));
const N = 48;
const BATCH = 16;
const SHAPE = [3, 16, 16];

interface Recorded {
  losses: number[];
  testLogits: number[];
  torch: string;
}

test('resnet20 steps equal a recorded PyTorch trajectory (same init, batches, recipe; 5 epochs of 3 steps)', () => {
  E.setThreads(1);
  const recipe = { ...defaultRecipe('cifar10', 'resnet20'), model: { arch: 'resnet20' as const, width: 0.5 }, epochs: 5, batchSize: BATCH, augment: undefined };
  // 50% of 5 epochs rounds half up to epoch 3 (as JavaScript's Math.round; Python's round(2.5) is 2)
  const lrs = Array.from({ length: 5 }, (_, e) => lrAt(recipe.schedule, recipe.optimizer.lr, e, 5));
  [0.01, 0.01, 0.01, 0.001, 0.0001].forEach((want, e) => assert.ok(Math.abs(lrs[e] - want) < 1e-12, `epoch ${e}: lr ${lrs[e]}`));
  E.tidy(() => {
    const g = new E.Generator(7);
    const x = E.randn([N, ...SHAPE], g);
    const y = E.randint(0, 10, [N], g);
    const bg = new E.Generator(3);
    const epochs = Array.from({ length: recipe.epochs }, () => {
      const perm = Int32Array.from(E.randperm(N, bg).toFloat64());
      return Array.from({ length: N / BATCH }, (_, k) => perm.subarray(k * BATCH, (k + 1) * BATCH));
    });
    const model = buildModel(recipe.model, SHAPE, 10, new E.Generator(recipe.seed));
    const init = model.stateDict();
    const optimizer = makeOptimizer(recipe.optimizer, model.namedParameters());
    const losses: number[] = [];
    fit(model, x, y, E.arange(N), {
      optimizer,
      schedule: recipe.schedule,
      baseLr: recipe.optimizer.lr,
      epochs: recipe.epochs,
      batchSize: BATCH,
      objective: makeObjective(recipe.objective),
      gen: new E.Generator(0),
      batches: (_n, epoch) => epochs[epoch],
      gradientStep: (m, xb, yb, obj, e) => {
        const r = backwardStep(m, xb, yb, obj, e);
        losses.push(r.loss);
        return r;
      },
    });
    const test = x.narrow(0, 0, 4);
    const logits = Array.from(predictLogits(model, test, null).logits);
    optimizer.dispose();

    if (process.env.CWRF_RECORD_TORCH === '1') {
      const dir = mkdtempSync(join(tmpdir(), 'cwrf-lockstep-'));
      writeFileSync(join(dir, 'init.npz'), writeNpz(init));
      writeFileSync(join(dir, 'xtr.npy'), writeNpy(x.toFloat32(), x.shape));
      writeFileSync(join(dir, 'ytr.npy'), writeNpy(Int32Array.from(y.toFloat64()), [N]));
      writeFileSync(join(dir, 'xte.npy'), writeNpy(test.toFloat32(), test.shape));
      writeFileSync(join(dir, 'yte.npy'), writeNpy(Int32Array.from(y.narrow(0, 0, 4).toFloat64()), [4]));
      const args = { ...recipe, threads: 1, init: join(dir, 'init.npz'), batches: epochs.map((e) => e.map((b) => Array.from(b))) };
      const r = spawnSync('/usr/bin/python3', [PEER, dir, JSON.stringify(args)], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const rec = JSON.parse(r.stdout.trim().split('\n').pop()!) as Recorded;
      writeFileSync(FIXTURE, `${JSON.stringify(rec, null, 1)}\n`);
    }
    model.dispose();

    const rec = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Recorded;
    assert.equal(losses.length, rec.losses.length);
    losses.forEach((l, i) => assert.ok(Math.abs(l - rec.losses[i]) <= 1e-4 * Math.max(1, Math.abs(rec.losses[i])), `step ${i}: cwrf ${l} vs PyTorch ${rec.losses[i]}`));
    // the steps move the loss (a trajectory, not a constant), and the eval-mode logits use the running statistics
    assert.ok(Math.abs(losses[0] - losses[losses.length - 1]) > 0.05, `losses ${losses[0]} -> ${losses[losses.length - 1]}`);
    logits.forEach((v, i) => assert.ok(Math.abs(v - rec.testLogits[i]) <= 1e-3 * Math.max(1, Math.abs(rec.testLogits[i])), `logit ${i}: cwrf ${v} vs PyTorch ${rec.testLogits[i]}`));
  });
});
