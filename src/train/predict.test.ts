import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../engine/index.ts';
import { mlp, Module } from '../nn/index.ts';
import { predictLogits } from './loop.ts';

class Probe extends Module {
  readonly live: number[] = [];
  constructor(readonly inner: Module) {
    super();
    this.child('inner', inner);
  }
  forward(x: E.Tensor): E.Tensor {
    this.live.push(E.liveTensors());
    return this.inner.forward(x);
  }
}

test('predictLogits frees each batch’s activations before the next batch (memory flat in n)', () => {
  const net = new Probe(mlp([8, 16, 16, 3], 'tanh', new E.Generator(0)));
  const x = E.keep(E.randn([40, 8], new E.Generator(1)));
  const before = E.liveTensors();
  const { logits, classes } = predictLogits(net, x, null, 4);
  assert.equal(classes, 3);
  assert.equal(logits.length, 120);
  // 10 batches: only the previous batches' logits (one tensor each) may stay alive; before the fix, 2 per batch here.
  const growth = net.live.at(-1)! - net.live[0];
  assert.ok(growth <= net.live.length - 1, `live tensors grew by ${growth} over ${net.live.length} batches`);
  assert.equal(E.liveTensors(), before, 'nothing leaks');
  const full = E.noGrad(() => E.tidy(() => net.inner.forward(x).toFloat32()));
  assert.deepEqual([...logits].map((v) => v.toFixed(5)), [...full].map((v) => v.toFixed(5)));
  x.dispose();
  net.dispose();
});
