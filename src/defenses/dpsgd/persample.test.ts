import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../engine/index.ts';
import { Activation, BatchNorm, buildModel, Conv2d, Flatten, GroupNorm, LayerNorm, Linear, MaxPool2d, Module, Sequential, smallCnn } from '../../nn/index.ts';
import { InputError } from '../../util/errors.ts';
import { loopGradients, toDouble } from './_testing.ts';
import { clippedGradientSum, perSampleGradients, perSampleNorms } from './persample.ts';

const ce = (y: E.Tensor) => (logits: E.Tensor) => E.crossEntropy(logits, y, { reduction: 'none' });

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

class Twice extends Module {
  readonly l: Linear;
  constructor(gen: E.Generator) {
    super();
    this.l = this.child('l', new Linear(4, 4, gen));
  }
  forward(x: E.Tensor): E.Tensor {
    return this.l.forward(this.l.forward(x).tanh());
  }
}

/** Small float64 models covering Linear (2-D and 3-D inputs, with/without bias), Conv2d (padding, stride, no bias), GroupNorm (4-D and 2-D), weight sharing. */
function cases(): {
  name: string;
  model: Module;
  x: E.Tensor;
  classes: number;
}[] {
  const g = new E.Generator(11);
  const r = (shape: number[]) => E.keep(E.randn(shape, g, 0, 1, 'float64'));
  return [
    {
      name: 'mlp tanh',
      model: new Sequential(new Linear(5, 7, g), new Activation('tanh'), new Linear(7, 3, g)),
      x: r([6, 5]),
      classes: 3,
    },
    {
      name: 'conv + groupnorm + linear',
      model: new Sequential(
        new Conv2d(2, 4, 3, g, { padding: 1 }),
        new GroupNorm(2, 4),
        new Activation('relu'),
        new Conv2d(4, 3, 3, g, { stride: 2, bias: false }),
        new Activation('tanh'),
        new Flatten(),
        new Linear(3 * 2 * 2, 4, g, false),
      ),
      x: r([5, 2, 6, 6]),
      classes: 4,
    },
    {
      name: 'linear on sequences (3-D input)',
      model: new Sequential(new Linear(4, 3, g), new Activation('gelu'), new Flatten(), new Linear(6, 2, g)),
      x: r([4, 2, 4]),
      classes: 2,
    },
    {
      name: 'groupnorm on 2-D input',
      model: new Sequential(new Linear(5, 6, g), new GroupNorm(3, 6), new Activation('tanh'), new Linear(6, 3, g)),
      x: r([5, 5]),
      classes: 3,
    },
    {
      name: 'conv stride 2 and 3 (stride not dividing the padded extent)',
      model: new Sequential(
        new Conv2d(2, 3, 3, g, { stride: 2, padding: 1 }),
        new Activation('tanh'),
        new Conv2d(3, 2, 2, g, { stride: 3 }),
        new Flatten(),
        new Linear(2, 2, g),
      ),
      x: r([4, 2, 7, 7]),
      classes: 2,
    },
    {
      name: 'shared linear (used twice)',
      model: new Twice(g),
      x: r([5, 4]),
      classes: 4,
    },
    {
      name: 'layernorm on sequences',
      model: new Sequential(new Linear(4, 6, g), new LayerNorm(6), new Activation('gelu'), new Flatten(), new Linear(12, 2, g)),
      x: r([4, 2, 4]),
      classes: 2,
    },
    {
      name: 'resnet20 (group norm, option A shortcuts)',
      model: buildModel({ arch: 'resnet20', width: 0.25, norm: 'group' }, [3, 8, 8], 3, g),
      x: r([3, 3, 8, 8]),
      classes: 3,
    },
    {
      name: 'vit-tiny (depth 1, dim 16, patch 8: class token, position embedding, attention, layernorm)',
      model: buildModel({ arch: 'vit-tiny', depth: 1, dim: 16, heads: 2, patch: 8 }, [3, 32, 32], 4, g),
      x: r([3, 3, 32, 32]),
      classes: 4,
    },
    {
      name: 'smallcnn (group norm)',
      model: smallCnn([3, 8, 8], 5, g, 'group'),
      x: r([3, 3, 8, 8]),
      classes: 5,
    },
  ].map((c) => ({ ...c, model: toDouble(c.model) }));
}

test('per-sample gradients equal per-example backward passes (float64)', () => {
  for (const c of cases()) {
    const y = E.keep(E.randint(0, c.classes, [c.x.shape[0]], new E.Generator(3)));
    const ref = loopGradients(c.model, c.x, y);
    for (const conv of ['grouped', 'unfold'] as const) {
      const ps = perSampleGradients(c.model, c.x, ce(y), { conv });
      assert.deepEqual(
        [...ps.keys()],
        c.model.namedParameters().map(([n]) => n),
        c.name,
      );
      for (const [name, g] of ps) {
        const p = c.model.namedParameters().find(([n]) => n === name)![1];
        assert.deepEqual(g.shape, [c.x.shape[0], ...p.shape], `${c.name} ${name}`);
        assert.equal(g.dtype, 'float64');
        const flat = g.toFloat64();
        const per = p.numel;
        ref.get(name)!.forEach((gi, i) => {
          const d = maxAbsDiff(flat.subarray(i * per, (i + 1) * per), gi);
          assert.ok(d < 1e-10, `${c.name} ${conv} ${name} example ${i}: max diff ${d}`);
        });
        g.dispose();
      }
    }
    y.dispose();
  }
});

test('ghost norms (Linear) and masked norms equal the norms of materialised per-sample gradients', () => {
  for (const c of cases()) {
    const n = c.x.shape[0];
    const y = E.keep(E.randint(0, c.classes, [n], new E.Generator(4)));
    const ref = loopGradients(c.model, c.x, y);
    // Masks: a random 0/1 pattern on the first parameter, and an all-zero mask on the last.
    const named = c.model.namedParameters();
    const masks = new Map<string, E.Tensor>();
    const mg = new E.Generator(9);
    masks.set(named[0][0], E.keep(E.bernoulli(named[0][1].detach(), 0.5, mg)));
    masks.set(named[named.length - 1][0], E.keep(E.zerosLike(named[named.length - 1][1]).detach()));
    for (const withMasks of [false, true]) {
      const want = new Float64Array(n);
      for (const [name, gs] of ref) {
        const m = withMasks && masks.has(name) ? masks.get(name)!.toFloat64() : null;
        gs.forEach((gi, i) => gi.forEach((v, k) => (want[i] += (m ? m[k] : 1) * v * v)));
      }
      for (const ghost of [true, false]) {
        const got = E.tidy(() =>
          perSampleNorms(c.model, c.x, ce(y), {
            ghost,
            masks: withMasks ? masks : undefined,
          }).toFloat64(),
        );
        const d = maxAbsDiff(got, want.map(Math.sqrt));
        assert.ok(d < 1e-10, `${c.name} ghost=${ghost} masks=${withMasks}: max diff ${d}`);
      }
    }
    E.dispose([...masks.values(), y]);
  }
});

test('clipped sum equals the loop version (flat clipping over all parameters jointly)', () => {
  for (const c of cases()) {
    const n = c.x.shape[0];
    const y = E.keep(E.randint(0, c.classes, [n], new E.Generator(5)));
    const ref = loopGradients(c.model, c.x, y);
    const norms = new Float64Array(n);
    for (const gs of ref.values()) gs.forEach((gi, i) => gi.forEach((v) => (norms[i] += v * v)));
    norms.forEach((v, i) => (norms[i] = Math.sqrt(v)));
    // A bound between the smallest and largest norm, so some examples are clipped and some are not.
    const sorted = [...norms].sort((a, b) => a - b);
    const C = (sorted[0] + sorted[n - 1]) / 2;
    const factors = norms.map((v) => Math.min(1, C / (v + 1e-6)));
    assert.ok(factors.some((f) => f < 1) && factors.some((f) => f === 1), c.name);
    for (const ghost of [true, false]) {
      E.tidy(() => {
        const r = clippedGradientSum(c.model, c.x, ce(y), C, { ghost });
        assert.ok(maxAbsDiff(r.factors.toFloat64(), factors) < 1e-12);
        assert.equal(r.sums.length, ref.size);
        for (const [name, s] of r.sums) {
          const gs = ref.get(name)!;
          const want = new Float64Array(gs[0].length);
          gs.forEach((gi, i) => gi.forEach((v, k) => (want[k] += factors[i] * v)));
          const d = maxAbsDiff(s.toFloat64(), want);
          assert.ok(d < 1e-10, `${c.name} ghost=${ghost} ${name}: max diff ${d}`);
        }
      });
    }
    y.dispose();
  }
});

test('BatchNorm and unsupported parameterised layers are rejected with clear messages', () => {
  const g = new E.Generator(0);
  const x = E.randn([2, 3, 8, 8], g);
  const y = E.randint(0, 5, [2], g);
  assert.throws(
    () => perSampleGradients(smallCnn([3, 8, 8], 5, g, 'batch'), x, ce(y)),
    (e: unknown) =>
      e instanceof InputError && e.message === 'DP-SGD cannot train BatchNorm layers (batch statistics mix examples): use --norm group',
  );
  class Scale extends Module {
    readonly s = this.param('scale', E.ones([1]));
    forward(t: E.Tensor): E.Tensor {
      return t.mul(this.s);
    }
  }
  const net = new Sequential(new Conv2d(3, 2, 3, g), new MaxPool2d(2), new Flatten(), new Scale(), new Linear(18, 5, g));
  assert.throws(
    () => perSampleGradients(net, x, ce(y)),
    (e: unknown) => e instanceof InputError && /layer '3' \(Scale\)/.test(e.message),
  );
  void BatchNorm;
  E.dispose([x, y]);
});

test('no tensors leak from per-sample computations', () => {
  const g = new E.Generator(1);
  const net = smallCnn([3, 8, 8], 5, g, 'group');
  const x = E.keep(E.randn([4, 3, 8, 8], g));
  const y = E.keep(E.randint(0, 5, [4], g));
  const run = () => E.dispose(clippedGradientSum(net, x, ce(y), 1));
  run();
  const before = E.liveTensors();
  for (let i = 0; i < 3; i++) run();
  const ps = perSampleGradients(net, x, ce(y));
  E.dispose([...ps.values()]);
  assert.equal(E.liveTensors(), before);
});
