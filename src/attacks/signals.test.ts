import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../util/errors.ts';
import { computeSignalMatrices, computeSignals } from './signals.ts';
import { rng } from './_testing.ts';

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

/** Naive reference formulas (fine for moderate logits). */
function naive(z: number[], y: number, T = 1) {
  const ex = z.map((v) => Math.exp(v));
  const S = ex.reduce((s, v) => s + v, 0);
  const p = ex.map((v) => v / S);
  const exT = z.map((v) => Math.exp(v / T));
  const ST = exT.reduce((s, v) => s + v, 0);
  const lg = (v: number) => Math.log(Math.max(v, 1e-30));
  const H = -p.reduce((s, v) => s + v * lg(v), 0);
  let M = -(1 - p[y]) * lg(p[y]);
  for (let j = 0; j < z.length; j++) if (j !== y) M -= p[j] * lg(1 - p[j]);
  return {
    phi: Math.log(p[y]) - Math.log(1 - p[y]),
    pY: exT[y] / ST,
    negLoss: lg(p[y]),
    confidence: p[y],
    negEntropy: -H,
    negModEntropy: -M,
    loss: -Math.log(p[y]),
  };
}

test('signals match the textbook formulas on moderate logits', () => {
  const u = rng(1);
  const n = 50;
  const C = 5;
  const z = new Float64Array(n * C);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = Math.floor(u() * C);
    for (let j = 0; j < C; j++) z[i * C + j] = (u() - 0.5) * 8;
  }
  for (const T of [1, 2]) {
    const s = computeSignals(z, y, n, C, { temperature: T });
    for (let i = 0; i < n; i++) {
      const r = naive([...z.subarray(i * C, (i + 1) * C)], y[i], T);
      for (const k of ['phi', 'pY', 'negLoss', 'confidence', 'negEntropy', 'negModEntropy', 'loss'] as const) {
        close(s[k][i], r[k], 1e-10);
      }
    }
  }
});

test('hand example: logits [2, 1, 0], label 0', () => {
  const s = computeSignals(Float32Array.from([2, 1, 0]), Int32Array.from([0]), 1, 3);
  close(s.phi[0], 2 - Math.log(Math.E + 1));
  close(s.loss[0], Math.log(Math.exp(2) + Math.E + 1) - 2);
  close(s.confidence[0], Math.exp(2) / (Math.exp(2) + Math.E + 1));
});

test('extreme logits stay finite and exact (float32 input)', () => {
  const z = Float32Array.from([1000, 0, -1000, /* */ 0, 1000, -1000, /* */ 50, 50, 0]);
  const y = Int32Array.from([0, 0, 0]);
  const s = computeSignals(z, y, 3, 3);
  // example 0: confidently right; phi = 1000 - logsumexp(0, -1000) = 1000
  close(s.phi[0], 1000);
  close(s.loss[0], 0, 1e-300);
  assert.equal(s.confidence[0], 1);
  // modified entropy: (1 - p_y) ~ e^-1000 exactly computed; stays a finite, tiny number
  assert.ok(Number.isFinite(s.negModEntropy[0]) && s.negModEntropy[0] <= 0 && s.negModEntropy[0] > -1e-300);
  // example 1: confidently wrong; phi = 0 - 1000; loss exact (unclamped), negLoss clamped at log(1e-30)
  close(s.phi[1], -1000);
  close(s.loss[1], 1000);
  close(s.negLoss[1], Math.log(1e-30));
  // M = -(1 - p_y) log max(p_y, 1e-30) - p_1 log max(1 - p_1, 1e-30) ~ -log(1e-30) * 2
  close(s.negModEntropy[1], 2 * Math.log(1e-30), 1e-12);
  // example 2: tie between two classes
  close(s.phi[2], 50 - (50 + Math.log(1 + Math.exp(-50))));
  for (const k of ['phi', 'pY', 'negLoss', 'confidence', 'negEntropy', 'negModEntropy', 'loss'] as const) {
    for (const v of s[k]) assert.ok(Number.isFinite(v), k);
  }
});

test('phi is the logit of p_y (log p/(1-p)) without cancellation', () => {
  const s = computeSignals(Float64Array.from([40, 0, 0]), Int32Array.from([0]), 1, 3);
  close(s.phi[0], 40 - Math.log(2));
});

test('stacked matrices are [models x n]', () => {
  const y = Int32Array.from([0, 1]);
  const a = Float64Array.from([1, 0, 0, 1]);
  const b = Float64Array.from([3, 0, 0, -3]);
  const m = computeSignalMatrices([a, b], y, 2, 2);
  assert.equal(m.phi.length, 4);
  close(m.phi[0], 1);
  close(m.phi[1], 1);
  close(m.phi[2], 3);
  close(m.phi[3], -3);
});

test('bad inputs are InputErrors', () => {
  const y = Int32Array.from([0]);
  assert.throws(() => computeSignals(Float64Array.from([1, NaN]), y, 1, 2), InputError);
  assert.throws(() => computeSignals(Float64Array.from([1, 2, 3]), y, 1, 2), InputError);
  assert.throws(() => computeSignals(Float64Array.from([1, 2]), Int32Array.from([2]), 1, 2), /label 0 is 2/);
  assert.throws(() => computeSignals(Float64Array.from([1]), y, 1, 1), InputError);
  assert.throws(() => computeSignals(Float64Array.from([1, 2]), y, 1, 2, { temperature: 0 }), InputError);
});
