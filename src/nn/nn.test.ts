import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../engine/index.ts';
import { buildModel, Conv2d, Linear, mlp, ResNet18, smallCnn } from './index.ts';
import { Adam, SGD } from '../optim/index.ts';

test('an MLP reaches 100% train accuracy on a separable problem', () => {
  const gen = new E.Generator(3);
  const net = mlp([2, 16, 2], 'relu', gen);
  const opt = new Adam(net.namedParameters(), { lr: 0.05 });
  const x = E.keep(E.randn([128, 2], gen));
  const y = E.keep(E.tidy(() => x.select(1, 0).gt(x.select(1, 1)).long()));
  for (let i = 0; i < 200; i++)
    E.tidy(() => {
      opt.zeroGrad();
      E.crossEntropy(net.forward(x), y).backward();
      opt.step();
    });
  const acc = E.noGrad(() => E.tidy(() => net.forward(x).argmax(1).eq(y).float().mean().item()));
  assert.equal(acc, 1);
  x.dispose();
  y.dispose();
});

test('parameter names and shapes follow torch (Sequential indices, ResNet layers)', () => {
  const gen = new E.Generator(0);
  const net = mlp([446, 1024, 512, 256, 128, 30], 'tanh', gen);
  const names = net.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`);
  assert.deepEqual(names.slice(0, 4), ['0.weight:1024x446', '0.bias:1024', '2.weight:512x1024', '2.bias:512']);
  assert.equal(net.numParameters(), 446 * 1024 + 1024 + 1024 * 512 + 512 + 512 * 256 + 256 + 256 * 128 + 128 + 128 * 30 + 30);
  const cnn = smallCnn([3, 32, 32], 10, gen);
  assert.deepEqual(E.tidy(() => E.noGrad(() => cnn.forward(E.zeros([2, 3, 32, 32])).shape)), [2, 10]);
  const rn = new ResNet18(3, 10, gen);
  assert.equal(rn.numParameters(), 11173962); // torchvision-style CIFAR ResNet-18 with a 10-way head
  assert.ok(rn.namedBuffers().some(([n]) => n === 'layer1.0.bn1.running_mean'));
  assert.deepEqual(E.tidy(() => E.noGrad(() => rn.eval().forward(E.zeros([1, 3, 32, 32])).shape)), [1, 10]);
  rn.dispose();
});

test('default initialisation follows torch bounds: U(-1/sqrt(fan_in), 1/sqrt(fan_in))', () => {
  const gen = new E.Generator(5);
  const net = buildModel({ arch: 'mlp', hidden: [64], activation: 'relu' }, [100], 3, gen);
  const w = net.namedParameters()[0][1].toFloat32();
  const bound = 1 / Math.sqrt(100);
  assert.ok(w.every((v) => Math.abs(v) <= bound));
  assert.ok(Math.max(...w) > 0.9 * bound);
});

test('state dict round-trip and shape mismatch errors', () => {
  const a = mlp([4, 3, 2], 'tanh', new E.Generator(1));
  const b = mlp([4, 3, 2], 'tanh', new E.Generator(2));
  b.loadStateDict(a.stateDict());
  assert.deepEqual(b.stateDict()['0.weight'].data, a.stateDict()['0.weight'].data);
  const c = mlp([4, 5, 2], 'tanh', new E.Generator(2));
  assert.throws(() => c.loadStateDict(a.stateDict()), /'0.weight' has shape \[3,4\], model expects \[5,4\]/);
});

test('loadStateDict checks every key and shape first, reports every problem at once and changes nothing', () => {
  const a = mlp([4, 3, 2], 'tanh', new E.Generator(1));
  const b = mlp([4, 3, 2], 'tanh', new E.Generator(2));
  const before = b.stateDict();
  const state = a.stateDict();
  delete state['2.bias'];
  state['9.weight'] = { shape: [1], data: new Float32Array(1) };
  state['2.weight'] = { shape: [3, 2], data: new Float32Array(6) };
  assert.throws(
    () => b.loadStateDict(state, 'a.safetensors'),
    (e: Error) =>
      e.message === "a.safetensors: 3 problems: missing tensor '2.bias'; unexpected tensor '9.weight'; '2.weight' has shape [3,2], model expects [2,3]",
  );
  assert.deepEqual(b.stateDict(), before, 'the first tensors were not loaded either');
});

test('training 2,000 steps keeps resident memory flat', () => {
  const gen = new E.Generator(0);
  const net = mlp([64, 256, 128, 10], 'tanh', gen);
  const opt = new SGD(net.namedParameters(), { lr: 0.01, momentum: 0.9 });
  const x = E.keep(E.rand([64, 64], gen));
  const y = E.keep(E.randint(0, 10, [64], gen));
  const step = () =>
    E.tidy(() => {
      opt.zeroGrad();
      E.crossEntropy(net.forward(x), y).backward();
      opt.step();
    });
  for (let i = 0; i < 300; i++) step();
  global.gc?.();
  const live0 = E.liveTensors();
  const rss0 = process.memoryUsage().rss;
  for (let i = 0; i < 2000; i++) step();
  global.gc?.();
  const rss1 = process.memoryUsage().rss;
  assert.equal(E.liveTensors(), live0, 'no tensor handle leaked');
  assert.ok(rss1 < rss0 * 1.1, `RSS grew from ${(rss0 / 2 ** 20).toFixed(1)} MiB to ${(rss1 / 2 ** 20).toFixed(1)} MiB`);
});

test('layers are constructed, then resetParameters(gen) draws their initial values: as constructing them with that generator', () => {
  const a = new Linear(5, 3, new E.Generator(7));
  const b = new Linear(5, 3, new E.Generator(1));
  b.resetParameters(new E.Generator(7));
  assert.deepEqual(b.stateDict(), a.stateDict());
  const net = mlp([4, 6, 2], 'relu', new E.Generator(3));
  const again = mlp([4, 6, 2], 'relu', new E.Generator(9));
  again.resetParameters(new E.Generator(3));
  assert.deepEqual(again.stateDict(), net.stateDict(), 'a container resets its children in registration order');
  const c = new Conv2d(2, 4, 3, new E.Generator(5));
  const d = new Conv2d(2, 4, 3, new E.Generator(6));
  d.resetParameters(new E.Generator(5));
  assert.deepEqual(d.stateDict(), c.stateDict());
});
