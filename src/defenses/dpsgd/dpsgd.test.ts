import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../engine/index.ts';
import { Activation, Conv2d, Flatten, GroupNorm, Linear, Sequential, mlp, smallCnn, type Module } from '../../nn/index.ts';
import { Adam, SGD } from '../../optim/index.ts';
import { fit, makeObjective, type Recipe } from '../../train/index.ts';
import { InputError } from '../../util/errors.ts';
import { loopGradients, toDouble } from './_testing.ts';
import { Rng } from '../../util/rng.ts';
import { epsilon } from './accountant.ts';
import { dpGradientStep, dpHooks, dpNoiseFor, dpSchedule, poissonBatches } from './dpsgd.ts';
import { clippedGradientSum } from './persample.ts';

/** The loop version of DP-SGD's gradient without noise: sum_i min(1, C/(||g_i * m|| + 1e-6)) g_i * m / E. */
function loopDpGrad(ref: Map<string, Float64Array[]>, C: number, E_: number, masks?: Map<string, Float64Array>): Map<string, Float64Array> {
  const n = [...ref.values()][0].length;
  const sq = new Float64Array(n);
  for (const [name, gs] of ref) {
    const m = masks?.get(name);
    gs.forEach((gi, i) => gi.forEach((v, k) => (sq[i] += (m ? m[k] : 1) * v * v)));
  }
  const c = sq.map((s) => Math.min(1, C / (Math.sqrt(s) + 1e-6)));
  const out = new Map<string, Float64Array>();
  for (const [name, gs] of ref) {
    const m = masks?.get(name);
    const sum = new Float64Array(gs[0].length);
    gs.forEach((gi, i) => gi.forEach((v, k) => (sum[k] += (c[i] * v * (m ? m[k] : 1)) / E_)));
    out.set(name, sum);
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function models(g: E.Generator): { model: Module; x: E.Tensor; classes: number }[] {
  return [
    {
      model: toDouble(mlp([6, 8, 5, 3], 'tanh', g)),
      x: E.keep(E.randn([7, 6], g, 0, 1, 'float64')),
      classes: 3,
    },
    {
      model: toDouble(
        new Sequential(
          new Conv2d(2, 4, 3, g, { padding: 1 }),
          new GroupNorm(2, 4),
          new Activation('relu'),
          new Flatten(),
          new Linear(4 * 16, 3, g),
        ),
      ),
      x: E.keep(E.randn([5, 2, 4, 4], g, 0, 1, 'float64')),
      classes: 3,
    },
  ];
}

test('dpGradientStep without noise equals the loop version of clip, sum and divide (float64)', () => {
  const g = new E.Generator(2);
  for (const { model, x, classes } of models(g)) {
    const y = E.keep(E.randint(0, classes, [x.shape[0]], g));
    for (const smoothing of [0, 0.1]) {
      const ref = loopGradients(model, x, y, smoothing);
      const C = 0.5;
      const want = loopDpGrad(ref, C, 4);
      const step = dpGradientStep({
        maxGradNorm: C,
        noiseMultiplier: 0,
        expectedBatchSize: 4,
        gen: g,
        loss: smoothing ? { labelSmoothing: smoothing } : 'ce',
      });
      E.tidy(() => {
        const r = step(model, x, y, makeObjective({ name: 'ce' }), 0);
        const wantLoss = E.crossEntropy(model.forward(x), y, {
          labelSmoothing: smoothing,
        }).item();
        assert.ok(Math.abs(r.loss - wantLoss) < 1e-12);
        assert.deepEqual(r.logits.shape, [x.shape[0], classes]);
      });
      for (const [name, p] of model.namedParameters()) {
        const d = maxAbsDiff(p.grad!.toFloat64(), want.get(name)!);
        assert.ok(d < 1e-12, `${name} smoothing ${smoothing}: ${d}`);
        p.grad = null;
      }
    }
    E.dispose([x, y]);
    model.dispose();
  }
});

test('noise has standard deviation sigma * C per coordinate (fixed seed)', () => {
  const g = new E.Generator(5);
  const model = toDouble(mlp([40, 60, 10], 'tanh', g)); // 3,070 coordinates
  const x = E.keep(E.randn([16, 40], g, 0, 1, 'float64'));
  const y = E.keep(E.randint(0, 10, [16], g));
  const C = 0.8;
  const sigma = 1.7;
  const batch = 16;
  const clean = E.tidy(() =>
    clippedGradientSum(model, x, (z) => E.crossEntropy(z, y, { reduction: 'none' }), C).sums.map(([, s]) => s.toFloat64()),
  );
  const step = dpGradientStep({
    maxGradNorm: C,
    noiseMultiplier: sigma,
    expectedBatchSize: batch,
    gen: new E.Generator(123),
  });
  const noise: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    E.tidy(() => void step(model, x, y, makeObjective({ name: 'ce' }), 0));
    model.namedParameters().forEach(([, p], k) => {
      const gr = p.grad!.toFloat64();
      gr.forEach((v, i) => noise.push(v * batch - clean[k][i]));
      p.grad = null;
    });
  }
  const n = noise.length;
  const mean = noise.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(noise.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const within1 = noise.filter((v) => Math.abs(v) <= sigma * C).length / n;
  // n = 9,210: the sample sd has relative sd 1/sqrt(2n) = 0.74%, the mean sd sigma*C/sqrt(n) ~ 0.014.
  assert.ok(Math.abs(sd / (sigma * C) - 1) < 0.03, `sd ${sd} vs ${sigma * C}`);
  assert.ok(Math.abs(mean) < (4 * sigma * C) / Math.sqrt(n), `mean ${mean}`);
  assert.ok(Math.abs(within1 - 0.6827) < 0.02, `P(|z| <= 1) = ${within1}`);
  // Different draws at each step; same seed, same draws.
  const again = dpGradientStep({
    maxGradNorm: C,
    noiseMultiplier: sigma,
    expectedBatchSize: batch,
    gen: new E.Generator(123),
  });
  E.tidy(() => void again(model, x, y, makeObjective({ name: 'ce' }), 0));
  const first = model.namedParameters()[0][1].grad!.toFloat64();
  assert.ok(Math.abs(first[0] * batch - clean[0][0] - noise[0]) < 1e-12);
  E.dispose([x, y]);
  model.dispose();
});

test('masked coordinates get neither gradient nor noise, and do not count in the clipping norm', () => {
  const g = new E.Generator(7);
  const model = toDouble(mlp([5, 6, 3], 'tanh', g));
  const x = E.keep(E.randn([6, 5], g, 0, 1, 'float64'));
  const y = E.keep(E.randint(0, 3, [6], g));
  const [[w0], , [w1]] = model.namedParameters();
  const masks = new Map<string, E.Tensor>([
    [w0, E.keep(E.bernoulli(model.namedParameters()[0][1].detach(), 0.5, g))],
    [w1, E.keep(E.zeros([3, 6], 'float32'))], // fully frozen, float32 mask on a float64 parameter
  ]);
  const ref = loopGradients(model, x, y);
  const maskArrays = new Map([...masks].map(([n, m]) => [n, m.toFloat64()]));
  const want = loopDpGrad(ref, 0.3, 6, maskArrays);
  E.tidy(
    () =>
      void dpGradientStep({
        maxGradNorm: 0.3,
        noiseMultiplier: 0,
        expectedBatchSize: 6,
        gen: g,
        masks,
      })(model, x, y, makeObjective({ name: 'ce' }), 0),
  );
  for (const [name, p] of model.namedParameters()) {
    assert.ok(maxAbsDiff(p.grad!.toFloat64(), want.get(name)!) < 1e-12, name);
    p.grad = null;
  }
  E.tidy(
    () =>
      void dpGradientStep({
        maxGradNorm: 0.3,
        noiseMultiplier: 2,
        expectedBatchSize: 6,
        gen: g,
        masks,
      })(model, x, y, makeObjective({ name: 'ce' }), 0),
  );
  for (const [name, p] of model.namedParameters()) {
    const gr = p.grad!.toFloat64();
    const m = maskArrays.get(name);
    if (m) gr.forEach((v, i) => assert.ok(m[i] === 1 || v === 0, `${name}[${i}] = ${v} under mask 0`));
    assert.ok(gr.some((v) => v !== 0) === (!m || m.some((v) => v === 1)), name);
    p.grad = null;
  }
  E.dispose([x, y, ...masks.values()]);
  model.dispose();
});

test('fit with DP-SGD, SGD and Adam: frozen weights never change, the loss goes down', () => {
  const g = new E.Generator(1);
  const x = E.keep(E.randn([200, 4], g));
  const y = E.keep(E.tidy(() => x.select(1, 0).gt(x.select(1, 1)).long()));
  const rows = E.keep(E.arange(200));
  for (const mk of [
    (p: [string, E.Tensor][]) => new SGD(p, { lr: 0.5, momentum: 0.5 }),
    (p: [string, E.Tensor][]) => new Adam(p, { lr: 0.02 }),
  ]) {
    const model = mlp([4, 16, 2], 'tanh', new E.Generator(3));
    const w = model.namedParameters()[0];
    const mask = E.keep(E.bernoulli(w[1].detach(), 0.7, g));
    const before = w[1].toFloat32();
    const opt = mk(model.namedParameters());
    opt.setMask(w[0], mask);
    const hist = fit(model, x, y, rows, {
      optimizer: opt,
      schedule: { name: 'constant' },
      baseLr: opt.lr,
      epochs: 6,
      batchSize: 50,
      objective: makeObjective({ name: 'ce' }),
      gen: g,
      gradientStep: dpGradientStep({
        maxGradNorm: 1,
        noiseMultiplier: 0.5,
        expectedBatchSize: 50,
        gen: new E.Generator(9),
        masks: new Map([[w[0], mask]]),
      }),
      batches: poissonBatches(50, new Rng(4)),
    });
    const after = w[1].toFloat32();
    const m = mask.toFloat32();
    let moved = 0;
    after.forEach((v, i) => {
      if (m[i] === 0) assert.equal(v, before[i]);
      else if (v !== before[i]) moved++;
    });
    assert.ok(moved > 0);
    assert.ok(hist[hist.length - 1].loss < hist[0].loss, `${hist[0].loss} -> ${hist[hist.length - 1].loss}`);
    assert.ok(hist[hist.length - 1].accuracy > 0.8, `accuracy ${hist[hist.length - 1].accuracy}`);
    opt.dispose();
    mask.dispose();
    model.dispose();
  }
  E.dispose([x, y, rows]);
});

test('Poisson batches: ceil(n/B) per epoch, rows independent with rate B/n, seeded', () => {
  const n = 1000;
  const B = 64;
  const mk = () => poissonBatches(B, Rng.derive(0, 'dp-batches'));
  const a = mk();
  const epochs = [a(n, 0), a(n, 1), a(n, 2)];
  const { sampleRate, stepsPerEpoch } = dpSchedule(B, n);
  assert.equal(stepsPerEpoch, 16);
  assert.equal(sampleRate, 0.064);
  let total = 0;
  const hits = new Float64Array(n);
  for (const e of epochs) {
    assert.equal(e.length, 16);
    for (const b of e) {
      for (let i = 0; i < b.length; i++) {
        assert.ok(b[i] >= 0 && b[i] < n && (i === 0 || b[i] > b[i - 1]));
        hits[b[i]]++;
      }
      total += b.length;
    }
  }
  const steps = 48;
  const mean = total / steps;
  // Batch size ~ Binomial(1000, 0.064): sd 7.7 per batch, 1.1 for the mean of 48.
  assert.ok(Math.abs(mean - B) < 4, `mean batch ${mean}`);
  // Every row: Binomial(48, 0.064) inclusions; the average must be 3.07.
  assert.ok(Math.abs(hits.reduce((s, v) => s + v, 0) / n - steps * sampleRate) < 0.2);
  assert.deepEqual(mk()(n, 0), epochs[0]);
  assert.notDeepEqual(epochs[1], epochs[0]);
  // q >= 1: every row, every step.
  assert.deepEqual(poissonBatches(10, new Rng(1))(5, 0), [Int32Array.from([0, 1, 2, 3, 4])]);
});

test('models with BatchNorm are rejected at the first step', () => {
  const g = new E.Generator(0);
  const step = dpGradientStep({
    maxGradNorm: 1,
    noiseMultiplier: 1,
    expectedBatchSize: 2,
    gen: g,
  });
  const model = smallCnn([3, 8, 8], 4, g, 'batch');
  E.tidy(() => {
    const x = E.randn([2, 3, 8, 8], g);
    const y = E.randint(0, 4, [2], g);
    assert.throws(
      () => step(model, x, y, makeObjective({ name: 'ce' }), 0),
      (e: unknown) =>
        e instanceof InputError && e.message === 'DP-SGD cannot train BatchNorm layers (batch statistics mix examples): use --norm group',
    );
  });
  model.dispose();
});

test('dpNoiseFor and dpHooks: noise from the target epsilon, epsilon per epoch, Poisson batches', () => {
  const recipe = {
    batchSize: 50,
    epochs: 3,
    seed: 4,
    objective: { name: 'ce' },
  } as Recipe;
  assert.equal(dpNoiseFor(recipe, { maxGradNorm: 1, noiseMultiplier: 1.3, delta: 1e-5 }, 1000), 1.3);
  const sigma = dpNoiseFor(recipe, { maxGradNorm: 1, targetEpsilon: 2, delta: 1e-5 }, 1000);
  const eps = epsilon(0.05, sigma, 60, 1e-5);
  assert.ok(eps <= 2 && eps > 1.9, `sigma ${sigma} eps ${eps}`);
  const members = new Uint8Array(1200);
  for (let i = 0; i < 1000; i++) members[i] = 1;
  const hooks = dpHooks(
    recipe,
    { maxGradNorm: 1, targetEpsilon: 2, delta: 1e-5 },
    { split: { population: new Int32Array(1200) } },
    members,
  );
  assert.ok(Math.abs(hooks.epochExtras!(2).epsilon - eps) < 1e-12);
  assert.ok(hooks.epochExtras!(0).epsilon < hooks.epochExtras!(1).epsilon);
  assert.equal(hooks.epochExtras!(0).noiseMultiplier, sigma);
  assert.deepEqual(hooks.batches!(1000, 0), poissonBatches(50, Rng.derive(4, 'dp-batches'))(1000, 0));
  assert.throws(
    () =>
      dpHooks(
        { ...recipe, objective: { name: 'relaxloss', alpha: 1, upper: 0.3 } },
        { maxGradNorm: 1, noiseMultiplier: 1, delta: 1e-5 },
        { split: { population: new Int32Array(1200) } },
        members,
      ),
    /per-example loss/,
  );
});
