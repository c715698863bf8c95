import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../engine/index.ts';
import { Adam, SGD, lrAt, makeOptimizer, type OptimizerSpec } from './index.ts';

function quadratic(spec: OptimizerSpec, mask: Float32Array | null, steps = 5) {
  const w = E.keep(E.tensor(new Float32Array([1, -2, 3, -4]), [4]));
  w.requiresGrad = true;
  const opt = makeOptimizer(spec, [['w', w]]);
  if (mask) opt.setMask('w', E.tensor(mask, [4]));
  for (let i = 0; i < steps; i++)
    E.tidy(() => {
      opt.zeroGrad();
      w.square().sum().backward();
      opt.step();
    });
  opt.dispose();
  return w.toFloat32();
}

test('masked coordinates stay bit-identical under every optimizer (incl. weight decay and momentum)', () => {
  const mask = new Float32Array([1, 0, 1, 0]);
  const specs: OptimizerSpec[] = [
    { name: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1 },
    { name: 'adam', lr: 0.1, weightDecay: 0.1 },
    { name: 'adamw', lr: 0.1, weightDecay: 0.5 },
  ];
  for (const s of specs) {
    const w = quadratic(s, mask);
    assert.equal(w[1], -2, `${s.name} moved a frozen weight`);
    assert.equal(w[3], -4, `${s.name} moved a frozen weight`);
    assert.notEqual(w[0], 1, `${s.name} did not move a trainable weight`);
  }
});

test('SGD and Adam match their torch update rules on one step', () => {
  // d/dw sum(w^2) = 2w. SGD: w - lr*2w. Adam step 1: w - lr * m/(sqrt(v)+eps) with bias correction = w - lr*sign(g).
  const sgd = quadratic({ name: 'sgd', lr: 0.1 }, null, 1);
  assert.deepEqual([...sgd].map((v) => +v.toFixed(6)), [0.8, -1.6, 2.4, -3.2]);
  const adam = quadratic({ name: 'adam', lr: 0.1 }, null, 1);
  assert.deepEqual([...adam].map((v) => +v.toFixed(5)), [0.9, -1.9, 2.9, -3.9]);
  const mom = quadratic({ name: 'sgd', lr: 0.1, momentum: 0.5 }, null, 2);
  // step 1: b = 2, w = 0.8 (first coord); step 2: g = 1.6, b = 0.5*2 + 1.6 = 2.6, w = 0.8 - 0.26 = 0.54
  assert.equal(+mom[0].toFixed(6), 0.54);
});

test('learning-rate schedules', () => {
  assert.equal(lrAt({ name: 'constant' }, 0.1, 7, 10), 0.1);
  assert.equal(lrAt({ name: 'step', stepSize: 3, gamma: 0.5 }, 0.1, 7, 10), 0.025);
  assert.equal(lrAt({ name: 'cosine' }, 0.1, 0, 10), 0.1);
  assert.ok(Math.abs(lrAt({ name: 'cosine' }, 0.1, 5, 10) - 0.05) < 1e-12);
});

test('setMask rejects unknown parameters; masks can be cleared', () => {
  const w = E.keep(E.zeros([2]));
  const opt = new SGD([['w', w]], { lr: 1 });
  assert.throws(() => opt.setMask('nope', E.ones([2])), /no parameter 'nope'/);
  opt.setMask('w', E.ones([2]));
  assert.deepEqual(opt.maskedNames(), ['w']);
  opt.setMask('w', null);
  assert.deepEqual(opt.maskedNames(), []);
  new Adam([['w', w]], { lr: 1 }).dispose();
});
