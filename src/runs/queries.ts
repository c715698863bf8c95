// LiRA's test-time queries: a model's logits on every population example under each query (the image, its
// mirror, shifted copies), as one [n, queries, classes] array.
import { stack, tidy } from '../engine/index.ts';
import { applyQuery, liraQueries } from '../data/index.ts';
import type { Module } from '../nn/index.ts';
import { logitsInBatches, type DataContext } from '../train/index.ts';
import { InputError } from '../util/errors.ts';

/** The default number of queries: 2 (image and mirror) for image data, 1 otherwise. */
export function defaultQueries(shape: number[]): number {
  return shape.length === 3 ? 2 : 1;
}

/** Throws an InputError when `q` queries cannot apply to examples of `shape`. */
export function checkQueries(q: number, shape: number[]): void {
  liraQueries(q);
  if (q > 1 && shape.length !== 3) throw new InputError(`--queries ${q} needs image data [C,H,W], this dataset's examples are [${shape}] (use --queries 1)`);
  if (q === 18 && (shape[1] <= 4 || shape[2] <= 4)) throw new InputError(`--queries 18 shifts by 4 pixels: images of ${shape[1]}x${shape[2]} are too small`);
}

/** Logits of `model` (eval mode, no grad) on population rows under `q` queries: Float32Array [n, q, classes]. */
export function queryLogits(model: Module, data: DataContext, q: number, batch = 512): { logits: Float32Array; classes: number } {
  checkQueries(q, data.shape);
  const queries = liraQueries(q);
  return logitsInBatches(model, data.x, data.population, batch, (xb) => stack(queries.map((qq) => tidy(() => model.forward(applyQuery(xb, qq)))), 1));
}

/** The first query's rows ([n, classes]) of [n, q, classes] logits. */
export function firstQuery(logits: Float32Array, n: number, q: number, classes: number): Float32Array {
  if (q === 1) return logits;
  const out = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) out.set(logits.subarray(i * q * classes, i * q * classes + classes), i * classes);
  return out;
}
