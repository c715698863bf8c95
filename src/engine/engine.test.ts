import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import * as E from './index.ts';
import type { Tensor } from './index.ts';
import { ALLOCATOR_THRESHOLD, native } from './native.ts';

/** Compares backward() with central finite differences (float64) for every element of every input. */
function gradcheck(name: string, f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], tol = 1e-6): void {
  for (const x of inputs) x.requiresGrad = true;
  const out = f(...inputs);
  out.backward();
  const h = 1e-6;
  for (const [k, x] of inputs.entries()) {
    const analytic = x.grad!.toFloat64();
    const data = x.toFloat64();
    for (let i = 0; i < data.length; i++) {
      const eval_ = (delta: number) =>
        E.noGrad(() =>
          E.tidy(() => {
            const d = data.slice();
            d[i] += delta;
            const xi = E.tensor(d, x.shape, 'float64');
            const args = inputs.map((t, j) => (j === k ? xi : t));
            return f(...args).item();
          }),
        );
      const numeric = (eval_(h) - eval_(-h)) / (2 * h);
      assert.ok(
        Math.abs(numeric - analytic[i]) <= tol * Math.max(1, Math.abs(numeric)),
        `${name}: input ${k} element ${i}: analytic ${analytic[i]} vs numeric ${numeric}`,
      );
    }
  }
}

const g = new E.Generator(7);
const r = (shape: number[]) => E.randn(shape, g, 0, 1, 'float64');

test('gradients of differentiable ops match finite differences (float64)', () => {
  E.tidy(() => {
    const y = E.tensor(new Int32Array([0, 2, 1]), [3], 'int64');
    gradcheck('linear+tanh+ce', (x, w, b) => E.crossEntropy(E.linear(x, w, b).tanh(), y), [r([3, 4]), r([3, 4]), r([3])]);
    gradcheck('relu+label smoothing', (x, w) => E.crossEntropy(E.linear(x, w).relu(), y, { labelSmoothing: 0.1 }), [r([3, 4]), r([3, 4])]);
    const soft = r([3, 3]).softmax(1);
    gradcheck('gelu+soft ce', (x) => E.crossEntropy(x.gelu(), soft), [r([3, 3])]);
    gradcheck('sigmoid+mse', (x, t) => E.mseLoss(x.sigmoid(), t), [r([2, 3]), r([2, 3])]);
    gradcheck('kl div', (a, b) => E.klDiv(a.logSoftmax(1), b.softmax(1)), [r([2, 4]), r([2, 4])]);
    gradcheck('conv2d', (x, w, b) => E.conv2d(x, w, b, 1, 1).square().sum(), [r([1, 2, 4, 4]), r([3, 2, 3, 3]), r([3])]);
    gradcheck('strided conv2d', (x, w) => E.conv2d(x, w, null, 2, 0).sum(), [r([1, 1, 5, 5]), r([2, 1, 3, 3])]);
    gradcheck('max pool', (x) => E.maxPool2d(x, 2).square().sum(), [r([1, 1, 4, 4])]);
    gradcheck('avg pool', (x) => E.avgPool2d(x, 2).square().sum(), [r([1, 2, 4, 4])]);
    gradcheck('adaptive avg pool', (x) => E.adaptiveAvgPool2d(x, 1).square().sum(), [r([2, 2, 3, 3])]);
    gradcheck(
      'batch norm (train)',
      (x, w, b) => E.batchNorm(x, w, b, null, null, true).mul(E.tensor(new Float64Array([1, 2, 3, 4, 5, 6]), [3, 2], 'float64')).sum(),
      [r([3, 2]), r([2]), r([2])],
    );
    gradcheck('group norm', (x, w, b) => E.groupNorm(x, 2, w, b).square().sum(), [r([2, 4, 2, 2]), r([4]), r([4])], 1e-5);
    gradcheck('log softmax + gather', (x) => x.logSoftmax(1).gather(1, E.tensor(new Int32Array([1, 0]), [2, 1], 'int64')).sum(), [r([2, 3])]);
    gradcheck('matmul, sub, div, exp, log, sqrt, pow', (a, b) => a.matmul(b).exp().add(1).log().sqrt().sub(0.5).div(2).pow(3).sum(), [r([2, 3]), r([3, 2])]);
    gradcheck('where + masked fill + logsumexp', (a) => a.maskedFill(a.gt(1), 0).logsumexp(1).sum(), [r([3, 3])]);
  });
});

test('seeded runs are bit-identical', () => {
  const run = () =>
    E.tidy(() => {
      const gen = new E.Generator(123);
      const w = E.randn([8, 5], gen);
      w.requiresGrad = true;
      const x = E.rand([16, 5], gen);
      const y = E.randint(0, 8, [16], gen);
      for (let i = 0; i < 5; i++) {
        w.grad = null;
        E.crossEntropy(E.dropout(E.linear(x, w), 0.3, true, gen), y).backward();
        E.noGrad(() => w.sub(w.grad!.mul(0.1)).clone());
        E.noGrad(() => w.add_(w.grad!, -0.1));
      }
      return w.toFloat32();
    });
  assert.deepEqual(run(), run());
});

test('random ops: uniform, normal, randint, randperm through a generator', () => {
  E.tidy(() => {
    const gen = new E.Generator(1);
    const u = E.rand([10000], gen).toFloat64();
    const mean = u.reduce((a, b) => a + b) / u.length;
    assert.ok(Math.abs(mean - 0.5) < 0.02, `uniform mean ${mean}`);
    const n = E.randn([10000], gen, 2, 3).toFloat64();
    const m = n.reduce((a, b) => a + b) / n.length;
    const sd = Math.sqrt(n.reduce((a, b) => a + (b - m) ** 2, 0) / n.length);
    assert.ok(Math.abs(m - 2) < 0.1 && Math.abs(sd - 3) < 0.1, `normal mean ${m} sd ${sd}`);
    const ri = E.randint(3, 7, [1000], gen).toInt32();
    assert.ok(ri.every((v) => v >= 3 && v < 7));
    const p = [...E.randperm(50, gen).toInt32()].sort((a, b) => a - b);
    assert.deepEqual(p, Array.from({ length: 50 }, (_, i) => i));
    const st = gen.getState();
    const a = E.rand([5], gen).toFloat32();
    gen.setState(st);
    assert.deepEqual(E.rand([5], gen).toFloat32(), a);
  });
});

test('typed arrays round-trip for every dtype', () => {
  E.tidy(() => {
    assert.deepEqual(E.tensor(new Float32Array([1.5, -2]), [2]).data(), new Float32Array([1.5, -2]));
    assert.deepEqual(E.tensor(new Float64Array([1e-300, 3]), [2, 1]).data(), new Float64Array([1e-300, 3]));
    assert.deepEqual(E.tensor(new BigInt64Array([5n, -9007199254740993n]), [2]).data(), new BigInt64Array([5n, -9007199254740993n]));
    assert.deepEqual(E.tensor(new Int32Array([1, 2, 3]), [3], 'int64').dtype, 'int64');
    const b = E.tensor(new Uint8Array([0, 1, 1]), [3], 'bool');
    assert.equal(b.dtype, 'bool');
    assert.deepEqual(b.data(), new Uint8Array([0, 1, 1]));
    assert.throws(() => E.tensor(new Float32Array(3), [2, 2]), /shape has 4 elements but data has 3/);
  });
});

test('shape ops, reductions, topk, sort, scatter, where', () => {
  E.tidy(() => {
    const x = E.tensor(new Float32Array([3, 1, 2, 6, 5, 4]), [2, 3]);
    assert.deepEqual(x.t().shape, [3, 2]);
    assert.deepEqual(x.reshape([3, 2]).sum(1).toFloat32(), new Float32Array([4, 8, 9]));
    assert.deepEqual(x.maxDim(1)[1].toInt32(), new Int32Array([0, 0]));
    const [v, i] = x.topk(2, 1);
    assert.deepEqual(v.toFloat32(), new Float32Array([3, 2, 6, 5]));
    assert.deepEqual(i.toInt32(), new Int32Array([0, 2, 0, 1]));
    assert.deepEqual(x.sort(1)[0].toFloat32(), new Float32Array([1, 2, 3, 4, 5, 6]));
    const z = E.zeros([2, 3]).scatter(1, E.tensor(new Int32Array([2, 0]), [2, 1], 'int64'), 1);
    assert.deepEqual(z.toFloat32(), new Float32Array([0, 0, 1, 1, 0, 0]));
    assert.deepEqual(E.where(x.gt(2.5), x, E.zerosLike(x)).toFloat32(), new Float32Array([3, 0, 0, 6, 5, 4]));
    assert.equal(E.cat([x, x]).shape[0], 4);
    assert.deepEqual(E.stack([x, x]).shape, [2, 2, 3]);
    assert.equal(x.mean().item(), 3.5);
  });
});

test('libtorch errors become JS Errors and the process lives on', () => {
  E.tidy(() => {
    const a = E.zeros([2, 3]);
    assert.throws(() => a.matmul(a), /mat1 and mat2 shapes cannot be multiplied/);
    assert.throws(() => a.indexSelect(0, E.tensor(new Int32Array([7]), [1], 'int64')), /index out of range/);
    assert.throws(() => E.crossEntropy(a, E.tensor(new Float32Array([0.5, 1]), [2], 'float32').mul(1)), /.+/);
    assert.throws(() => E.call('aten::add.Tensor', [a, 'x']), /expected a Tensor/);
    assert.throws(() => E.call('aten::no_such_op', [a]), /no ATen operator/);
    assert.throws(() => E.crossEntropy(a, E.tensor(new Int32Array([0, 9]), [2], 'int64')), /out of bounds|Target 9/);
    assert.throws(() => E.tensor(new Float32Array(4), [2, 2]).view([3]), /invalid for input of size 4/);
    const d = E.zeros([2]);
    d.dispose();
    assert.throws(() => d.add(1), /disposed/);
  });
  assert.equal(E.tidy(() => E.ones([2]).sum().item()), 2);
});

test('tidy frees everything but its result; no-grad scope', () => {
  const before = E.liveTensors();
  const kept = E.tidy(() => {
    const a = E.ones([3]);
    const b = a.add(1).mul(2);
    return { b };
  });
  assert.equal(E.liveTensors(), before + 1);
  kept.b.dispose();
  assert.equal(E.liveTensors(), before);
  const w = E.ones([2]);
  w.requiresGrad = true;
  const y = E.noGrad(() => w.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(w.mul(2).requiresGrad, true);
});

test('tensors a scope frees do not make V8 collect garbage; tensors outside every scope do', async () => {
  const majorGcs = async (f: () => void): Promise<number> => {
    let n = 0;
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) n++;
    });
    obs.observe({ entryTypes: ['gc'] });
    f();
    await new Promise((r) => setTimeout(r, 100));
    obs.disconnect();
    return n;
  };
  const empty = (): Tensor => E.call('aten::empty.memory_format', [[16 * 2 ** 20]]); // 64 MiB, never touched
  const scoped = await majorGcs(() => E.tidy(() => { for (let i = 0; i < 16; i++) empty(); }));
  assert.equal(scoped, 0, "a scope's 1 GiB of tensors started a full GC");
  const unscoped = await majorGcs(() => {
    const ts: Tensor[] = [];
    for (let i = 0; i < 16; i++) ts.push(empty());
    for (const t of ts) t.dispose();
  });
  assert.ok(unscoped >= 1, '1 GiB of tensors outside any scope started no full GC');
});

test('threads can be set and read', () => {
  const prev = E.getThreads();
  E.setThreads(1);
  assert.equal(E.getThreads(), 1);
  E.setThreads(prev);
  assert.throws(() => E.setThreads(0), /threads must be >= 1/);
  assert.equal(typeof E.cudaAvailable(), 'boolean');
});

test('glibc takes the allocator thresholds that keep large buffers in the heap', () => {
  assert.equal(native.setAllocatorThresholds(ALLOCATOR_THRESHOLD, ALLOCATOR_THRESHOLD), true);
});
