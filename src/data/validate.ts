// Consistency checks run on every loaded dataset, and the class-balanced `limit` option.
import { InputError } from '../util/errors.ts';
import type { Dataset, Tensorish } from './types.ts';

/** Product of a shape's dimensions. */
export function prod(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Throws InputError unless: at least 2 classes; shape of positive integers; x.length == n * prod(shape);
 * y.length == n; every x finite (names the first bad row); labels integral in 0..classes-1.
 */
export function validateDataset(ds: Dataset): void {
  const where = `dataset '${ds.name}' (${ds.source})`;
  if (!Number.isInteger(ds.classes) || ds.classes < 2) {
    throw new InputError(`${where}: needs at least 2 classes, found ${ds.classes}`);
  }
  if (ds.shape.length === 0 || ds.shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new InputError(`${where}: bad example shape [${ds.shape.join(', ')}]`);
  }
  if (ds.classNames && ds.classNames.length !== ds.classes) {
    throw new InputError(`${where}: ${ds.classNames.length} class names for ${ds.classes} classes`);
  }
  const d = prod(ds.shape);
  const splits: [string, Tensorish | undefined][] = [
    ['train', ds.train],
    ['test', ds.test],
  ];
  for (const [split, t] of splits) {
    if (!t) continue;
    if (!Number.isInteger(t.n) || t.n < (split === 'train' ? 1 : 0)) {
      throw new InputError(`${where}: ${split} split has ${t.n} examples`);
    }
    if (t.x.length !== t.n * d) {
      throw new InputError(
        `${where}: ${split} x has ${t.x.length} values, expected n * prod(shape) = ${t.n} * ${d} = ${t.n * d}`,
      );
    }
    if (t.y.length !== t.n) throw new InputError(`${where}: ${split} has ${t.y.length} labels for ${t.n} examples`);
    const x = t.x;
    for (let i = 0; i < x.length; i++) {
      // x - x is 0 for finite values and NaN for NaN/Inf: one fast test per value.
      if (x[i] - x[i] !== 0) {
        const row = Math.floor(i / d);
        throw new InputError(
          `${where}: ${split} example ${row} (0-based) has a non-finite value (${x[i]}) at feature ${i - row * d}`,
        );
      }
    }
    const y = t.y;
    for (let i = 0; i < y.length; i++) {
      if (y[i] < 0 || y[i] >= ds.classes) {
        throw new InputError(`${where}: ${split} example ${i} (0-based) has label ${y[i]}, expected 0..${ds.classes - 1}`);
      }
    }
  }
}

/** Keeps the first `limit` examples of `t`, taken round-robin over classes (class-balanced), in original order. */
export function limitBalanced(t: Tensorish, shape: number[], limit: number): Tensorish {
  if (!Number.isInteger(limit) || limit < 1) throw new InputError(`limit must be a positive integer, got ${limit}`);
  if (limit >= t.n) return t;
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < t.n; i++) {
    const l = byClass.get(t.y[i]);
    if (l) l.push(i);
    else byClass.set(t.y[i], [i]);
  }
  const lists = [...byClass.keys()].sort((a, b) => a - b).map((k) => byClass.get(k)!);
  const keep: number[] = [];
  for (let i = 0; keep.length < limit; i++) {
    for (const l of lists) {
      if (keep.length >= limit) break;
      if (i < l.length) keep.push(l[i]);
    }
  }
  keep.sort((a, b) => a - b);
  return gather(t, shape, Int32Array.from(keep));
}

/** Rows `idx` of `t` (copied). */
export function gather(t: Tensorish, shape: number[], idx: Int32Array): Tensorish {
  const d = prod(shape);
  const x = new Float32Array(idx.length * d);
  const y = new Int32Array(idx.length);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r];
    x.set(t.x.subarray(i * d, (i + 1) * d), r * d);
    y[r] = t.y[i];
  }
  return { x, y, n: idx.length };
}
