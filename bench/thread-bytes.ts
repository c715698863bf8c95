// Which ATen ops give other bytes with 1 and 2 intra-op threads (--threads): each op of cwrf's training steps
// (forward and backward, at the sizes the Location MLP and the CIFAR small CNN / resnet20 use) is run on the same
// seeded inputs at 1 and at 2 threads, and its outputs and input gradients compared byte for byte.
//   node --import tsx bench/thread-bytes.ts
import { createHash } from 'node:crypto';
import * as E from '../src/engine/index.ts';
import type { Tensor } from '../src/engine/index.ts';
import { blasDescription } from '../src/engine/blas.ts';

type Case = { name: string; inputs: () => Tensor[]; f: (...xs: Tensor[]) => Tensor };
const g = () => new E.Generator(0);
const rn = (shape: number[]) => () => [E.randn(shape, g())];
const cases: Case[] = [
  { name: 'linear (addmm) 128x446 @ 446x1024', inputs: () => [E.randn([128, 446], g()), E.randn([1024, 446], new E.Generator(1)), E.randn([1024], new E.Generator(2))], f: (x, w, b) => E.linear(x, w, b) },
  { name: 'linear (addmm) 64x4096 @ 4096x128 (small CNN head)', inputs: () => [E.randn([64, 4096], g()), E.randn([128, 4096], new E.Generator(1)), E.randn([128], new E.Generator(2))], f: (x, w, b) => E.linear(x, w, b) },
  { name: 'conv2d 64x3x32x32, 32 filters 3x3', inputs: () => [E.randn([64, 3, 32, 32], g()), E.randn([32, 3, 3, 3], new E.Generator(1)), E.randn([32], new E.Generator(2))], f: (x, w, b) => E.conv2d(x, w, b, 1, 1) },
  { name: 'conv2d 64x32x16x16, 64 filters 3x3', inputs: () => [E.randn([64, 32, 16, 16], g()), E.randn([64, 32, 3, 3], new E.Generator(1)), E.randn([64], new E.Generator(2))], f: (x, w, b) => E.conv2d(x, w, b, 1, 1) },
  { name: 'max_pool2d 64x32x32x32', inputs: rn([64, 32, 32, 32]), f: (x) => E.maxPool2d(x, 2) },
  {
    name: 'batch_norm (training) 64x16x16x16',
    inputs: () => [E.randn([64, 16, 16, 16], g()), E.rand([16], new E.Generator(1)), E.randn([16], new E.Generator(2))],
    f: (x, w, b) => E.batchNorm(x, w, b, E.zeros([16]), E.ones([16]), true, 0.1, 1e-5),
  },
  { name: 'group_norm 64x16x16x16, 4 groups', inputs: () => [E.randn([64, 16, 16, 16], g()), E.rand([16], new E.Generator(1)), E.randn([16], new E.Generator(2))], f: (x, w, b) => E.groupNorm(x, 4, w, b) },
  { name: 'relu 64x32x32x32', inputs: rn([64, 32, 32, 32]), f: (x) => x.relu() },
  { name: 'tanh 128x1024', inputs: rn([128, 1024]), f: (x) => x.tanh() },
  { name: 'log_softmax + cross_entropy 128x30', inputs: () => [E.randn([128, 30], g())], f: (x) => E.crossEntropy(x, E.randint(0, 30, [128], new E.Generator(3))) },
  { name: 'sum of 64x32x32x32', inputs: rn([64, 32, 32, 32]), f: (x) => x.sum() },
  { name: 'mean over dims 0,2,3 of 64x32x32x32', inputs: rn([64, 32, 32, 32]), f: (x) => x.mean([0, 2, 3]) },
];

const sha = (t: Tensor) => createHash('sha256').update(new Uint8Array(t.toFloat32().buffer)).digest('hex').slice(0, 16);

function run(c: Case, threads: number): string[] {
  E.setThreads(threads);
  return E.tidy(() => {
    const xs = c.inputs();
    for (const x of xs) x.requiresGrad = true;
    const y = c.f(...xs);
    const out = [sha(y)];
    y.mul(E.randn(y.shape, new E.Generator(9))).sum().backward();
    for (const x of xs) out.push(sha(x.grad!));
    return out;
  });
}

console.log(`ops whose bytes depend on the intra-op thread count (1 vs 2); ${blasDescription()}`);
for (const c of cases) {
  const a = run(c, 1);
  const b = run(c, 2);
  const diff = ['output', ...a.slice(1).map((_, i) => `grad ${i}`)].filter((_, i) => a[i] !== b[i]);
  console.log(`${c.name.padEnd(52)} ${diff.length ? `differs: ${diff.join(', ')}` : 'same bytes'}`);
}
