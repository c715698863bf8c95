import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../util/errors.ts';
import { rmiaRatios, rmiaScores, tuneA } from './rmia.ts';
import { summarize } from './metrics.ts';
import { balancedInclusion, normal, rng } from './_testing.ts';

/** A world where members' true-class probability is pushed up: p = sigmoid(m_i + d * in + noise). */
function world(models: number, n: number, d: number, seed: number) {
  const u = rng(seed);
  const g = normal(u);
  const inclusion = balancedInclusion(models, n, u);
  const base = Float64Array.from({ length: n }, () => 1.5 * g());
  const pY = new Float64Array(models * n);
  for (let k = 0; k < models; k++)
    for (let i = 0; i < n; i++) pY[k * n + i] = 1 / (1 + Math.exp(-(base[i] + d * inclusion[k * n + i] + 0.7 * g())));
  return { inclusion, pY };
}

/** Independent O(n^2) implementation of the definition. */
function bruteForce(
  pY: Float64Array,
  inclusion: Uint8Array,
  models: number,
  n: number,
  target: number,
  o: { mode: 'online' | 'offline'; a: number; gamma: number; trim: number; z?: number[] },
): number[] {
  const refs = Array.from({ length: models }, (_, m) => m).filter((m) => m !== target);
  const trimMean = (v: number[]) => {
    v.sort((x, y) => x - y);
    const cut = Math.floor(o.trim * v.length);
    const w = v.slice(cut, v.length - cut);
    return w.reduce((s, x) => s + x, 0) / w.length;
  };
  // equalized OUT counts, first k in refs order (the default of rmiaScores)
  const outs = Array.from({ length: n }, (_, i) => refs.filter((r) => inclusion[r * n + i] === 0));
  const k = Math.min(...outs.map((l) => l.length));
  const R = Array.from({ length: n }, (_, i) => {
    const vals = o.mode === 'online' ? refs.map((r) => pY[r * n + i]) : outs[i].slice(0, k).map((r) => pY[r * n + i]);
    let pr = trimMean(vals);
    if (o.mode === 'offline') pr = ((1 + o.a) / 2) * pr + (1 - o.a) / 2;
    return pY[target * n + i] / pr;
  });
  const Z = o.z ?? Array.from({ length: n }, (_, i) => i).filter((i) => inclusion[target * n + i] === 0);
  return R.map((rx, x) => {
    // x is never compared with itself; the denominator is |Z| for every x (no tie-breaking by membership)
    const others = Z.filter((z) => z !== x);
    return others.filter((z) => rx / R[z] > o.gamma).length / Z.length;
  });
}

test('rmiaScores equals the O(n^2) definition (online/offline, gamma, trimmed mean, explicit z set)', () => {
  const models = 7;
  const n = 80;
  const { inclusion, pY } = world(models, n, 1, 3);
  for (const mode of ['online', 'offline'] as const)
    for (const gamma of [0.5, 1, 2])
      for (const trim of [0, 0.2]) {
        const a = 0.3;
        const data = { inclusion, models, n, target: 2 };
        const got = rmiaScores(pY, data, { mode, gamma, trim, a });
        const want = bruteForce(pY, inclusion, models, n, 2, { mode, a, gamma, trim });
        for (let i = 0; i < n; i++)
          assert.ok(Math.abs(got[i] - want[i]) < 1e-12, `${mode} g=${gamma} t=${trim} i=${i}`);
        const z = [0, 5, 6, 7, 8, 9, 10, 40, 41, 79];
        const gotZ = rmiaScores(pY, data, { mode, gamma, trim, a, zIndices: Int32Array.from(z) });
        const wantZ = bruteForce(pY, inclusion, models, n, 2, { mode, a, gamma, trim, z });
        for (let i = 0; i < n; i++) assert.ok(Math.abs(gotZ[i] - wantZ[i]) < 1e-12);
      }
});

test('offline Pr(x) formula by hand', () => {
  // target row 0, refs 1..3; example 0: refs 1, 2 OUT (p 0.2, 0.4), ref 3 IN.
  const inclusion = Uint8Array.from([1, 0, /* */ 0, 1, /* */ 0, 0, /* */ 1, 0]);
  const pY = Float64Array.from([0.9, 0.5, /* */ 0.2, 0.6, /* */ 0.4, 0.1, /* */ 0.8, 0.3]);
  const data = { inclusion, models: 4, n: 2, target: 0 };
  const r = rmiaRatios(pY, data, { mode: 'offline', a: 0.5 });
  // mean_OUT(0) = 0.3 -> Pr = 0.75 * 0.3 + 0.25 = 0.475; example 1: OUT refs 2, 3 (0.1, 0.3)
  assert.ok(Math.abs(r[0] - 0.9 / 0.475) < 1e-12);
  assert.ok(Math.abs(r[1] - 0.5 / (0.75 * 0.2 + 0.25)) < 1e-12);
  const on = rmiaRatios(pY, data, { mode: 'online' });
  assert.ok(Math.abs(on[0] - 0.9 / ((0.2 + 0.4 + 0.8) / 3)) < 1e-12);
});

test('scores are in [0, 1] and monotone in the ratio; members score higher', () => {
  const models = 9;
  const n = 2000;
  const { inclusion, pY } = world(models, n, 1.5, 8);
  const data = { inclusion, models, n, target: 0 };
  for (const mode of ['online', 'offline'] as const) {
    const R = rmiaRatios(pY, data, { mode });
    const s = rmiaScores(pY, data, { mode });
    const member = inclusion.slice(0, n);
    for (let i = 0; i < n; i++) assert.ok(s[i] >= 0 && s[i] <= 1);
    // monotone (same denominator |Z| for everyone): a higher ratio never gets a lower score
    const mem = [...Array(n).keys()].filter((i) => member[i] === 1).sort((x, y) => R[x] - R[y]);
    for (let k = 1; k < mem.length; k++) assert.ok(s[mem[k]] >= s[mem[k - 1]]);
    const m = summarize(s, member);
    assert.ok(m.auc > 0.6, `${mode} AUC ${m.auc}`);
  }
});

test('rmia is O(n log n): 1e5 examples, 9 models well under a second', () => {
  const models = 9;
  const n = 100000;
  const { inclusion, pY } = world(models, n, 1, 1);
  const data = { inclusion, models, n, target: 0 };
  const t0 = performance.now();
  const s = rmiaScores(pY, data, { mode: 'offline' });
  const ms = performance.now() - t0;
  assert.equal(s.length, n);
  assert.ok(ms < 1000, `took ${ms} ms`);
});

test('tuneA picks the best a of the grid on the paired model', () => {
  const models = 8;
  const n = 1500;
  const { inclusion, pY } = world(models, n, 1.5, 21);
  const t = tuneA(pY, { inclusion, models, n }, 1, 2);
  assert.equal(t.aucs.length, 11);
  assert.ok(t.aucs.every((v) => v > 0.5 && v <= 1));
  const k = Math.round(t.a * 10);
  assert.ok(Math.abs(t.a - k / 10) < 1e-12);
  assert.equal(t.auc, t.aucs[k]);
  assert.equal(t.auc, Math.max(...t.aucs));
  assert.equal(t.aucs.indexOf(t.auc), k); // smallest a on ties
  assert.throws(() => tuneA(pY, { inclusion, models, n }, 1, 1), /must not include the target/);
});

test('missing OUT references and bad inputs', () => {
  const inclusion = Uint8Array.from([0, 1, 0, /* */ 1, 1, 0]);
  const pY = Float64Array.from([0.5, 0.5, 0.5, 0.4, 0.4, 0.4]);
  const data = { inclusion, models: 2, n: 3, target: 0 };
  assert.throws(() => rmiaScores(pY, data, { mode: 'offline' }), /2 of 3 examples have no OUT reference/);
  assert.doesNotThrow(() => rmiaScores(pY, data, { mode: 'online' }));
  assert.throws(() => rmiaScores(pY, data, { mode: 'offline', allowMissing: true }), /at least 2 population samples/);
  assert.throws(() => rmiaScores(Float64Array.from([0.5, NaN, 0.5, 0.4, 0.4, 0.4]), data), InputError);
  assert.throws(() => rmiaScores(Float64Array.from([0.5, -1, 0.5, 0.4, 0.4, 0.4]), data), /negative/);
  assert.throws(() => rmiaScores(pY, data, { gamma: 0 }), InputError);
  assert.throws(() => rmiaScores(pY, data, { mode: 'offline', a: 2 }), InputError);
  assert.throws(() => rmiaScores(pY, data, { zIndices: Int32Array.from([0, 3]) }), /out of range/);
});

test('ties are not broken by membership: identical ratios get identical scores', () => {
  // A confident model: every example has p_y = 1 in every model, so every ratio is 1.
  const models = 5;
  const n = 40;
  const inclusion = new Uint8Array(models * n);
  for (let k = 0; k < models; k++) for (let i = 0; i < n; i++) inclusion[k * n + i] = (i + k) % 2;
  const pY = new Float64Array(models * n).fill(1);
  const s = rmiaScores(pY, { inclusion, models, n, target: 0 }, { gamma: 1 });
  assert.ok(s.every((v) => v === s[0]), 'all scores equal');
});
