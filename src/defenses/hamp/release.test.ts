import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, tensor } from '../../engine/index.ts';
import { buildModel } from '../../nn/index.ts';
import { accuracy, predictLogits } from '../../train/index.ts';
import { Rng } from '../../util/rng.ts';
import { hampModify, hampNoiseFor, hampNoiseInputs } from './release.ts';
import { releasedLogits, releaseFor, releaseViews } from '../release.ts';

const argmax = (a: ArrayLike<number>, off: number, C: number) => {
  let b = 0;
  for (let j = 1; j < C; j++) if (a[off + j] > a[off + b]) b = j;
  return b;
};

function randomRows(n: number, C: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n * C }, () => 10 * r.normal());
}

test('the output modification keeps every argmax and the whole ranking; the values are the noise row', () => {
  const n = 200;
  const C = 7;
  const z = randomRows(n, C, 1);
  const u = randomRows(n, C, 2);
  const out = hampModify(z, u, n, C);
  for (let i = 0; i < n; i++) {
    const off = i * C;
    assert.equal(argmax(out, off, C), argmax(z, off, C), `row ${i}: argmax changed`);
    for (let a = 0; a < C; a++) for (let b = 0; b < C; b++) if (z[off + a] < z[off + b]) assert.ok(out[off + a] < out[off + b], `row ${i}: order of ${a}, ${b}`);
    assert.deepEqual(Array.from(out.subarray(off, off + C)).sort((p, q) => p - q), Array.from(u.subarray(off, off + C)).sort((p, q) => p - q));
  }
});

test('the released output depends only on the ranking of the logits (same noise draw)', () => {
  const n = 100;
  const C = 5;
  const z = randomRows(n, C, 3);
  // a strictly increasing map per row keeps the order but changes every value
  const w = Float32Array.from(z, (v, k) => Math.exp(v / 10) + Math.floor(k / C));
  const u = randomRows(n, C, 4);
  assert.deepEqual(hampModify(w, u, n, C), hampModify(z, u, n, C));
  // a different ranking gives a different output
  const swapped = Float32Array.from(z);
  for (let i = 0; i < n; i++) [swapped[i * C], swapped[i * C + 1]] = [swapped[i * C + 1], swapped[i * C]];
  assert.notDeepEqual(hampModify(swapped, u, n, C), hampModify(z, u, n, C));
});

test('random queries are seeded by model and query: reproducible, different across models and rows', () => {
  const ids = Int32Array.from([5, 9, 5]);
  const a = hampNoiseInputs(ids, 40, 7, 'train', 'bernoulli');
  assert.deepEqual(a, hampNoiseInputs(ids, 40, 7, 'train', 'bernoulli'));
  assert.deepEqual(a.subarray(0, 40), a.subarray(80, 120), 'the same query gets the same draw');
  assert.notDeepEqual(a.subarray(0, 40), a.subarray(40, 80));
  assert.notDeepEqual(a, hampNoiseInputs(ids, 40, 8, 'train', 'bernoulli'), 'another model draws other queries');
  assert.notDeepEqual(a, hampNoiseInputs(ids, 40, 7, 'test', 'bernoulli'));
  assert.ok(a.every((v) => v === 0 || v === 1));
  const ones = a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(ones > 0.35 && ones < 0.65, `Bernoulli(0.5): ${ones}`);
  const img = hampNoiseInputs(ids, 3 * 4 * 4, 7, 'train', hampNoiseFor([3, 4, 4]));
  assert.ok(img.every((v) => v >= 0 && v < 1) && img.some((v) => v > 0 && v < 1), 'images: uniform pixels in [0, 1)');
  assert.equal(hampNoiseFor([446]), 'bernoulli');
});

test('releasedLogits: raw without a release; with HAMP same accuracy, other values, reproducible', () => {
  const n = 64;
  const F = 12;
  const C = 4;
  const model = buildModel({ arch: 'mlp', hidden: [16], activation: 'tanh' }, [F], C, new Generator(3));
  const x = tensor(randomRows(n, F, 5), [n, F]);
  const index = tensor(BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), [n], 'int64');
  const q = { x, index, rowIds: Int32Array.from({ length: n }, (_, i) => i), source: 'train' };
  const raw = predictLogits(model, x, index);
  assert.deepEqual(releasedLogits(model, q, { seed: 1 }), raw);
  const rel = { release: releaseFor({ name: 'hamp' }), seed: 1 };
  assert.deepEqual(rel.release, { name: 'hamp' });
  assert.equal(releaseFor({ name: 'ce' }), undefined);
  const out = releasedLogits(model, q, rel);
  const labels = Int32Array.from({ length: n }, (_, i) => i % C);
  assert.equal(accuracy(out.logits, C, labels), accuracy(raw.logits, C, labels));
  for (let i = 0; i < n; i++) assert.equal(argmax(out.logits, i * C, C), argmax(raw.logits, i * C, C));
  assert.notDeepEqual(out.logits, raw.logits);
  assert.deepEqual(releasedLogits(model, q, rel).logits, out.logits, 'same model, same queries: same bytes');
  assert.notDeepEqual(releasedLogits(model, q, { ...rel, seed: 2 }).logits, out.logits);
  model.dispose();
});

test('releaseViews: each augmented query is its own HAMP query; view 0 is what releasedLogits releases; inputs normalised as x', () => {
  const n = 24;
  const C = 3;
  const shape = [3, 8, 8];
  const F = 3 * 8 * 8;
  const model = buildModel({ arch: 'mlp', hidden: [8], activation: 'tanh' }, shape, C, new Generator(4));
  const x = tensor(randomRows(n, F, 6), [n, ...shape]);
  const index = tensor(BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), [n], 'int64');
  const normalization = { mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] };
  const q = { x, index, rowIds: Int32Array.from({ length: n }, (_, i) => 10 + i), source: 'train', normalization };
  const rel = { release: releaseFor({ name: 'hamp' }), seed: 1 };
  const raw = predictLogits(model, x, index).logits;
  const twice = new Float32Array(n * 2 * C);
  for (let i = 0; i < n; i++) for (let v = 0; v < 2; v++) twice.set(raw.subarray(i * C, (i + 1) * C), (i * 2 + v) * C);
  const out = releaseViews(model, twice, 2, C, q, rel);
  const view = (v: number) => Float32Array.from({ length: n * C }, (_, k) => out[(Math.floor(k / C) * 2 + v) * C + (k % C)]);
  assert.deepEqual(view(0), releasedLogits(model, q, rel).logits, 'view 0 = the plain release');
  assert.notDeepEqual(view(1), view(0), 'the mirror query draws its own random input');
  for (let i = 0; i < n; i++) for (const v of [0, 1]) assert.equal(argmax(view(v), i * C, C), argmax(raw, i * C, C), 'ranking kept in every view');
  assert.notDeepEqual(releasedLogits(model, { ...q, normalization: null }, rel).logits, view(0), 'random inputs go through the normalisation');
  assert.deepEqual(releaseViews(model, twice, 2, C, q, { seed: 1 }), twice, 'no release: raw');
  model.dispose();
});
