import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossEntropy, tensor } from '../../engine/index.ts';
import { InputError } from '../../util/errors.ts';
import { cclLoss, validateCcl } from './objective.ts';
import { makeObjective } from '../../train/objectives/index.ts';
import { checkGradient } from '../../train/objectives/_gradcheck.ts';

// Two examples, three classes; p_y worked out by hand from the softmax.
const Z = [2, 0, -1, 0.5, 1.5, 0.5];
const Y = [0, 2];
const logits = () => tensor(Float64Array.from(Z), [2, 3], 'float64');
const labels = () => tensor(BigInt64Array.from(Y, BigInt), [2], 'int64');

function byHand(alpha: number, beta: number, g: (p: number) => number): number {
  // example 0: softmax(2, 0, -1)[0] = e^2 / (e^2 + 1 + e^-1); example 1: softmax(0.5, 1.5, 0.5)[2] = e^0.5 / (2 e^0.5 + e^1.5)
  const p0 = Math.exp(2) / (Math.exp(2) + 1 + Math.exp(-1));
  const p1 = Math.exp(0.5) / (2 * Math.exp(0.5) + Math.exp(1.5));
  const term = (p: number) => alpha * -Math.log(p) - (1 - alpha) * g(p);
  return (beta * (term(p0) + term(p1))) / 2;
}

test('CCL equals its formula on hand-computed logits, both forms', () => {
  for (const [alpha, beta] of [[0.5, 0.05], [0.2, 1], [0.9, 3]]) {
    const exp = cclLoss(logits(), labels(), { alpha, beta, form: 'exp' }).item();
    assert.ok(Math.abs(exp - byHand(alpha, beta, Math.exp)) < 1e-12, `exp form ${exp} vs ${byHand(alpha, beta, Math.exp)}`);
    const quad = cclLoss(logits(), labels(), { alpha, beta, form: 'quadratic' }).item();
    const want = byHand(alpha, beta, (p) => p + (p * p) / 2);
    assert.ok(Math.abs(quad - want) < 1e-12, `quadratic form ${quad} vs ${want}`);
  }
  // exp is the default form
  assert.equal(cclLoss(logits(), labels(), { alpha: 0.5, beta: 0.05 }).item(), cclLoss(logits(), labels(), { alpha: 0.5, beta: 0.05, form: 'exp' }).item());
});

test('CCL with alpha = 1, beta = 1 is cross-entropy', () => {
  const ce = crossEntropy(logits(), labels()).item();
  for (const form of ['exp', 'quadratic'] as const) {
    const o = makeObjective({ name: 'ccl', alpha: 1, beta: 1, form });
    assert.ok(Math.abs(o(logits(), labels(), 0).item() - ce) < 1e-14);
  }
});

test('CCL gradients match finite differences (float64)', () => {
  for (const form of ['exp', 'quadratic'] as const)
    checkGradient((z, y) => cclLoss(z, y, { alpha: 0.3, beta: 0.7, form }), Z, [2, 3], Y);
});

test('CCL rejects alpha outside (0, 1], beta <= 0 and unknown forms', () => {
  for (const bad of [{ alpha: 0, beta: 1 }, { alpha: 1.5, beta: 1 }, { alpha: -0.1, beta: 1 }, { alpha: NaN, beta: 1 }, { alpha: 0.5, beta: 0 }, { alpha: 0.5, beta: 1, form: 'cubic' as never }])
    assert.throws(() => validateCcl(bad), InputError, JSON.stringify(bad));
  validateCcl({ alpha: 1, beta: 0.05, form: 'quadratic' });
});
