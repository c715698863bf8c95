// HAMP's test-time output modification (Chen & Pattabiraman NDSS 2024; shared/SPECS.md): for each query x, a
// random input u; the class holding the j-th smallest logit of z(x) gets the j-th smallest logit of z(u).
// The ranking (hence every argmax and the accuracy) is kept; the values come from u, not from x.
import { Rng } from '../../util/rng.ts';

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
