// The released model's outputs: every output cwrf computes for an attack, for accuracy or for a report comes
// from releasedLogits (or releaseViews for LiRA's augmented queries), which apply the recipe's release transform
// (an entry of the release registry, RELEASES) to the logits.
import type { NormalizeSpec } from '../data/index.ts';
import type { Module } from '../nn/index.ts';
import { checkClassOutputs, predictLogits, type ObjectiveSpec, type Recipe, type ReleaseSpec } from '../train/index.ts';
import { Registry, type Entry } from '../util/options.ts';
import { hampRelease } from './hamp/release.ts';
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

/** An output transform of the released model: what every query of it returns instead of the raw logits. */
export interface ReleaseEntry extends Entry {
  /** The training objective whose runs release through it unless told otherwise. */
  objective?: string;
  /** Its name in messages ('HAMP output modification'). */
  title: string;
  /** What it does, in words (reports and audit settings). */
  label: string;
  /** The released [n, classes] logits of view `view` of the queries from their raw logits (`raw`, [n, classes]). */
  modify(model: Module, raw: Float32Array, q: Queries, seed: number, classes: number, view: number): Float32Array;
}

/** Every output release, by name (a recipe's `release`). */
export const RELEASES = new Registry<ReleaseEntry>('output release').add(hampRelease);

/** The release a recipe trained with `objective` gets by default: the objective's own (HAMP's for HAMP), else none. */
export function releaseFor(objective: ObjectiveSpec | { name: string }): ReleaseSpec | undefined {
  const e = RELEASES.entries().find((r) => r.objective === objective.name);
  return e ? { name: e.name } : undefined;
}

/** How a recipe's outputs are released, in words. */
export function releaseLabel(recipe: Pick<Recipe, 'release'>): string {
  return recipe.release ? RELEASES.get(recipe.release.name).label : 'none (raw logits)';
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
  const release = RELEASES.get(recipe.release.name);
  const n = q.rowIds.length;
  checkClassOutputs([n, classes], release.title);
  if (raw.length !== n * views * classes) throw new RangeError(`releaseViews: expected ${n} x ${views} x ${classes} logits, got ${raw.length}`);
  const out = new Float32Array(raw.length);
  const view = new Float32Array(n * classes);
  for (let v = 0; v < views; v++) {
    for (let i = 0; i < n; i++) view.set(raw.subarray((i * views + v) * classes, (i * views + v + 1) * classes), i * classes);
    const modified = release.modify(model, view, q, recipe.seed, classes, v);
    for (let i = 0; i < n; i++) out.set(modified.subarray(i * classes, (i + 1) * classes), (i * views + v) * classes);
  }
  return out;
}
