// Range checks of objective options stored in recipes.
import { InputError } from './errors.ts';

/** Throws an InputError naming `what` unless `v` is a finite number in range. */
export function checkNumber(v: unknown, what: string, o: { int?: boolean; min?: number; max?: number } = {}): number {
  const x = typeof v === 'string' ? Number(v) : v;
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new InputError(`${what} must be a number, got '${String(v)}'`);
  if (o.int && !Number.isInteger(x)) throw new InputError(`${what} must be an integer, got ${x}`);
  if (o.min !== undefined && x < o.min) throw new InputError(`${what} must be >= ${o.min}, got ${x}`);
  if (o.max !== undefined && x > o.max) throw new InputError(`${what} must be <= ${o.max}, got ${x}`);
  return x;
}
