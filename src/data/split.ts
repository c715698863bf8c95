// Seeded population / reference / test splits and member masks for membership-inference audits.
import { InputError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import type { Dataset } from './types.ts';

/**
 * Index sets of a split. `population` and `reference` index `ds.train`; `test` indexes `ds.test`
 * when the dataset has one, else rows of `ds.train` carved out (`testFromTrain: true`).
 * All three are disjoint and sorted ascending.
 */
export interface Split {
  seed: number;
  population: Int32Array;
  reference: Int32Array;
  test: Int32Array | null;
  testFromTrain: boolean;
}

function checkCount(v: number | undefined, what: string): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new InputError(`${what} must be a non-negative integer, got ${v}`);
}

function sorted(a: Int32Array): Int32Array {
  return a.sort();
}

/**
 * Splits `ds` deterministically from `seed`. One seeded permutation of the training rows is cut into
 * [test (only without ds.test; default 10%) | reference (default 10% of train) | population (default: the rest)].
 */
export function makeSplit(
  ds: Dataset,
  opts: { seed: number; populationSize?: number; referenceFraction?: number; testSize?: number },
): Split {
  const { seed } = opts;
  if (!Number.isSafeInteger(seed)) throw new InputError(`seed must be an integer, got ${seed}`);
  checkCount(opts.populationSize, 'population size');
  checkCount(opts.testSize, 'test size');
  const frac = opts.referenceFraction ?? 0.1;
  if (!(frac >= 0 && frac < 1)) throw new InputError(`reference fraction must be in [0, 1), got ${frac}`);
  const N = ds.train.n;
  const perm = Rng.derive(seed, 'split', 'train').permutation(N);
  const testFromTrain = !ds.test;
  let test: Int32Array | null;
  let used = 0;
  if (testFromTrain) {
    const t = opts.testSize ?? Math.floor(0.1 * N);
    if (t > N) throw new InputError(`test size ${t} exceeds the ${N} training examples of '${ds.name}'`);
    test = t > 0 ? sorted(perm.slice(0, t)) : null;
    used = t;
  } else {
    const M = ds.test!.n;
    const t = opts.testSize ?? M;
    if (t > M) throw new InputError(`test size ${t} exceeds the ${M} test examples of '${ds.name}'`);
    test = t === M ? Int32Array.from({ length: M }, (_, i) => i) : sorted(Rng.derive(seed, 'split', 'test').permutation(M).slice(0, t));
  }
  const r = Math.round(frac * N);
  if (used + r > N) throw new InputError(`reference set (${r}) and test set (${used}) exceed the ${N} training examples of '${ds.name}'`);
  const reference = sorted(perm.slice(used, used + r));
  used += r;
  const left = N - used;
  const p = opts.populationSize ?? left;
  if (p > left) {
    throw new InputError(
      `population size ${p} is larger than the ${left} training examples left after the reference (${r})${testFromTrain ? ` and test (${used - r})` : ''} sets of '${ds.name}'`,
    );
  }
  if (p < 2) throw new InputError(`population size must be at least 2, got ${p}`);
  const population = sorted(perm.slice(used, used + p));
  return { seed, population, reference, test, testFromTrain };
}

/** A seeded 0/1 mask over `populationSize` examples with exactly floor(n/2) ones. */
export function memberMask(populationSize: number, seed: number): Uint8Array {
  if (!Number.isInteger(populationSize) || populationSize < 0) throw new InputError(`population size must be a non-negative integer, got ${populationSize}`);
  const perm = Rng.derive(seed, 'members').permutation(populationSize);
  const m = new Uint8Array(populationSize);
  const half = Math.floor(populationSize / 2);
  for (let i = 0; i < half; i++) m[perm[i]] = 1;
  return m;
}

/**
 * Row-major [models, n] inclusion matrix for shadow/reference models: column j has exactly models/2
 * ones (odd `models`: floor for even j, ceil for odd j), chosen independently per column from `seed`.
 */
export function balancedInclusion(models: number, populationSize: number, seed: number): Uint8Array {
  if (!Number.isInteger(models) || models < 1) throw new InputError(`number of models must be a positive integer, got ${models}`);
  if (!Number.isInteger(populationSize) || populationSize < 0) throw new InputError(`population size must be a non-negative integer, got ${populationSize}`);
  const rng = Rng.derive(seed, 'inclusion', models);
  const out = new Uint8Array(models * populationSize);
  const idx = new Int32Array(models);
  for (let j = 0; j < populationSize; j++) {
    const k = models % 2 === 0 ? models / 2 : j % 2 === 0 ? Math.floor(models / 2) : Math.ceil(models / 2);
    for (let i = 0; i < models; i++) idx[i] = i;
    // Partial Fisher-Yates: the first k entries are a uniform k-subset.
    for (let i = 0; i < k; i++) {
      const r = i + rng.int(models - i);
      const t = idx[i];
      idx[i] = idx[r];
      idx[r] = t;
      out[idx[i] * populationSize + j] = 1;
    }
  }
  return out;
}
