// HAMP's test-time output modification (Chen & Pattabiraman NDSS 2024; shared/SPECS.md): for each query x, a
// random input u; the class holding the j-th smallest logit of z(x) gets the j-th smallest logit of z(u).
// The ranking (hence every argmax and the accuracy) is kept; the values come from u, not from x.
import { tensor } from '../../engine/index.ts';
import type { Module } from '../../nn/index.ts';
import { normalizeInPlace, predictLogits } from '../../train/index.ts';
import { Rng } from '../../util/rng.ts';
import type { Queries, ReleaseEntry } from '../release.ts';

/** What the random queries are made of: Bernoulli(0.5) per feature (tabular) or uniform pixels in [0, 1) (images). */
export type HampNoise = 'bernoulli' | 'uniform';

/** The noise kind for inputs of shape `perExample` (images: more than one dimension). */
export function hampNoiseFor(perExample: readonly number[]): HampNoise {
  return perExample.length > 1 ? 'uniform' : 'bernoulli';
}

/**
 * Row i of the result holds row i of `noise` (n x C), each value given to the class with the same rank in
 * row i of `logits`. Ties in `logits` are ranked by class index.
 */
export function hampModify(logits: Float32Array | Float64Array, noise: Float32Array | Float64Array, n: number, C: number): Float32Array {
  if (logits.length !== n * C || noise.length !== n * C) throw new RangeError(`hampModify: expected ${n} x ${C} logits and noise, got ${logits.length} and ${noise.length}`);
  const out = new Float32Array(n * C);
  const order = new Int32Array(C);
  const sorted = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    const off = i * C;
    for (let j = 0; j < C; j++) order[j] = j;
    order.sort((a, b) => logits[off + a] - logits[off + b] || a - b);
    for (let j = 0; j < C; j++) sorted[j] = noise[off + j];
    sorted.sort();
    for (let j = 0; j < C; j++) out[off + order[j]] = sorted[j];
  }
  return out;
}

/**
 * The random queries for dataset rows `rowIds` of split `source`, one seeded stream per (model seed, source, row,
 * view): the same model asked the same query gets the same draw, so audits reproduce. View k > 0 is LiRA's k-th
 * augmented query of the row (its mirror, a shift): another query to the released model, so another draw.
 */
export function hampNoiseInputs(rowIds: ArrayLike<number>, features: number, seed: number, source: string, kind: HampNoise, view = 0): Float32Array {
  const out = new Float32Array(rowIds.length * features);
  for (let i = 0; i < rowIds.length; i++) {
    const rng = view === 0 ? Rng.derive(seed, 'hamp-output', source, rowIds[i]) : Rng.derive(seed, 'hamp-output', source, rowIds[i], 'view', view);
    const off = i * features;
    if (kind === 'bernoulli') for (let f = 0; f < features; f++) out[off + f] = rng.next() < 0x80000000 ? 1 : 0;
    else for (let f = 0; f < features; f++) out[off + f] = rng.uniform();
  }
  return out;
}

const CHUNK = 1024;

/** The model's [n, classes] logits on the random inputs of view `v` of the queries (normalised as x was). */
function noiseLogits(model: Module, q: Queries, seed: number, classes: number, v: number): Float32Array {
  const n = q.rowIds.length;
  const perExample = q.x.shape.slice(1);
  const features = perExample.reduce((a, b) => a * b, 1);
  const kind = hampNoiseFor(perExample);
  const noise = new Float32Array(n * classes);
  for (let s = 0; s < n; s += CHUNK) {
    const m = Math.min(CHUNK, n - s);
    const u = tensor(hampNoiseInputs(q.rowIds.subarray(s, s + m), features, seed, q.source, kind, v), [m, ...perExample]);
    try {
      if (q.normalization) normalizeInPlace(u, q.normalization);
      noise.set(predictLogits(model, u, null).logits, s * classes);
    } finally {
      u.dispose();
    }
  }
  return noise;
}

/** HAMP's output modification as an entry of the release registry; runs trained with HAMP's objective release through it. */
export const hampRelease: ReleaseEntry = {
  name: 'hamp',
  description: "HAMP's test-time output modification",
  objective: 'hamp',
  title: 'HAMP output modification',
  label: "HAMP output modification (each query's logits replaced, rank for rank, by those of a random input seeded by model and query)",
  modify: (model, raw, q, seed, classes, view) => hampModify(raw, noiseLogits(model, q, seed, classes, view), q.rowIds.length, classes),
};
