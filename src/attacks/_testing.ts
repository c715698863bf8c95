// Test helpers for src/attacks (not part of the public API): a seeded PRNG and synthetic designs.

import { erfc } from './stats.ts';

/** mulberry32: a small, fast, seeded uniform PRNG on [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sampler (Box-Muller) on top of a uniform PRNG. */
export function normal(u: () => number): () => number {
  return () => {
    const a = u() || Number.MIN_VALUE;
    return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u());
  };
}

/**
 * Balanced inclusion design [models x n]: each example is IN for exactly floor(models / 2) models,
 * chosen at random (as the LiRA reference code does).
 */
export function balancedInclusion(models: number, n: number, u: () => number): Uint8Array {
  const inc = new Uint8Array(models * n);
  const perm = Array.from({ length: models }, (_, m) => m);
  for (let i = 0; i < n; i++) {
    for (let k = models - 1; k > 0; k--) {
      const j = Math.floor(u() * (k + 1));
      [perm[k], perm[j]] = [perm[j], perm[k]];
    }
    for (let k = 0; k < models >> 1; k++) inc[perm[k] * n + i] = 1;
  }
  return inc;
}

/** Standard normal CDF. */
export function normCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}
