// The released model's outputs: every output cwrf computes for an attack, for accuracy or for a report comes
// from releasedLogits, which applies the recipe's release transform (HAMP's output modification) to the logits.
import { tensor } from '../engine/index.ts';
import type { Module } from '../nn/index.ts';
import { checkClassOutputs, predictLogits, type ObjectiveSpec, type Recipe, type ReleaseSpec } from '../train/index.ts';
import { hampModify, hampNoiseFor, hampNoiseInputs } from './hamp-output.ts';
import type { Tensor } from '../engine/index.ts';

/** Which queries: rows `index` of x, whose ids in the dataset's `source` split ('train' or 'test') are `rowIds`. */
export interface Queries {
  x: Tensor;
  index: Tensor;
  rowIds: Int32Array;
  source: string;
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
  checkClassOutputs([q.rowIds.length, raw.classes], 'HAMP output modification');
  const n = q.rowIds.length;
  const C = raw.classes;
  const perExample = q.x.shape.slice(1);
  const features = perExample.reduce((a, b) => a * b, 1);
  const kind = hampNoiseFor(perExample);
  const noise = new Float32Array(n * C);
  for (let s = 0; s < n; s += CHUNK) {
    const m = Math.min(CHUNK, n - s);
    const u = tensor(hampNoiseInputs(q.rowIds.subarray(s, s + m), features, recipe.seed, q.source, kind), [m, ...perExample]);
    try {
      noise.set(predictLogits(model, u, null).logits, s * C);
    } finally {
      u.dispose();
    }
  }
  return { logits: hampModify(raw.logits, noise, n, C), classes: C };
}
