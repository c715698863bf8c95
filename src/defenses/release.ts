// The released model's outputs: every output cwrf computes for an attack, for accuracy or for a report comes
// from releasedLogits (or releaseViews for LiRA's augmented queries), which apply the recipe's release transform
// (HAMP's output modification) to the logits.
import { tensor } from '../engine/index.ts';
import type { NormalizeSpec } from '../data/index.ts';
import type { Module } from '../nn/index.ts';
import { checkClassOutputs, normalizeInPlace, predictLogits, type ObjectiveSpec, type Recipe, type ReleaseSpec } from '../train/index.ts';
import { hampModify, hampNoiseFor, hampNoiseInputs } from './hamp/release.ts';
import type { Tensor } from '../engine/index.ts';

/** Which queries: rows `index` of x, whose ids in the dataset's `source` split ('train' or 'test') are `rowIds`. */
export interface Queries {
  x: Tensor;
  index: Tensor;
  rowIds: Int32Array;
  source: string;
  /** The normalisation x went through: HAMP's random inputs go through it too, so the model sees them as it sees x. */
  normalization?: NormalizeSpec | null;
}

const CHUNK = 1024;

/** The release a recipe trained with `objective` gets by default: HAMP's output modification for HAMP, else none. */
export function releaseFor(objective: ObjectiveSpec | { name: string }): ReleaseSpec | undefined {
  return objective.name === 'hamp' ? { name: 'hamp' } : undefined;
}

/** The [n, classes] logits the model releases for the queries under the recipe's release (seeded by the model seed). */
export function releasedLogits(model: Module, q: Queries, recipe: Pick<Recipe, 'release' | 'seed'>): { logits: Float32Array; classes: number } {
  const raw = predictLogits(model, q.x, q.index);
  if (!recipe.release || raw.classes === 0) return raw;
  return { logits: releaseViews(model, raw.logits, 1, raw.classes, q, recipe), classes: raw.classes };
}

/**
 * Raw [n, views, classes] logits of the queries' rows (view 0 the image, the others LiRA's augmented queries) as
 * the model releases them: each view is its own query to the released model, with its own random input, and view
 * 0 gets exactly what releasedLogits gives.
 */
export function releaseViews(model: Module, raw: Float32Array, views: number, classes: number, q: Queries, recipe: Pick<Recipe, 'release' | 'seed'>): Float32Array {
  if (!recipe.release || classes === 0) return raw;
  const n = q.rowIds.length;
  checkClassOutputs([n, classes], 'HAMP output modification');
  if (raw.length !== n * views * classes) throw new RangeError(`releaseViews: expected ${n} x ${views} x ${classes} logits, got ${raw.length}`);
  const out = new Float32Array(raw.length);
  const view = new Float32Array(n * classes);
  for (let v = 0; v < views; v++) {
    for (let i = 0; i < n; i++) view.set(raw.subarray((i * views + v) * classes, (i * views + v + 1) * classes), i * classes);
    const modified = hampModify(view, noiseLogits(model, q, recipe.seed, classes, v), n, classes);
    for (let i = 0; i < n; i++) out.set(modified.subarray(i * classes, (i + 1) * classes), (i * views + v) * classes);
  }
  return out;
}

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
