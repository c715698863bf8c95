// Statistics over per-weight vectors (scores, movement from init), pure typed-array functions for `analyze`.

/** Pearson correlation (NaN when either vector is constant). */
export function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  if (n !== b.length) throw new Error(`pearson: lengths differ (${n} vs ${b.length})`);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Indices of `a` in ascending order of value; ties keep index order. */
function ascending(a: Float64Array): Uint32Array {
  return Uint32Array.from({ length: a.length }, (_, i) => i).sort((i, j) => a[i] - a[j] || i - j);
}

/** Average ranks, 0-based (ties share their mean rank, as scipy's rankdata minus one). */
export function ranks(a: Float64Array): Float64Array {
  const idx = ascending(a);
  const r = new Float64Array(a.length);
  for (let s = 0; s < idx.length; ) {
    let e = s;
    while (e + 1 < idx.length && a[idx[e + 1]] === a[idx[s]]) e++;
    for (let k = s; k <= e; k++) r[idx[k]] = (s + e) / 2;
    s = e + 1;
  }
  return r;
}

/** Spearman rank correlation with tie correction (Pearson of average ranks, as scipy.stats.spearmanr). */
export function spearman(a: Float64Array, b: Float64Array): number {
  return pearson(ranks(a), ranks(b));
}

/** Number of entries in a top (or bottom) `frac`: round(frac * n), at least 1. */
export function fractionCount(n: number, frac: number): number {
  return Math.min(n, Math.max(1, Math.round(frac * n)));
}

/** Share of the total held by the top `frac` of the values. */
export function topShare(a: Float64Array, frac: number): number {
  const s = Float64Array.from(a).sort().reverse();
  const k = fractionCount(s.length, frac);
  let top = 0;
  let all = 0;
  for (let i = 0; i < s.length; i++) {
    all += s[i];
    if (i < k) top += s[i];
  }
  return top / all;
}

/** Indices of the `k` largest values (ties: lower index first). */
export function topIndices(a: Float64Array, k: number): Uint32Array {
  return Uint32Array.from({ length: a.length }, (_, i) => i)
    .sort((i, j) => a[j] - a[i] || i - j)
    .subarray(0, k);
}

/** |top-k(a) ∩ top-k(b)| / k with k = round(frac * n). */
export function topOverlap(a: Float64Array, b: Float64Array, frac: number): number {
  const k = fractionCount(a.length, frac);
  const ta = new Set(topIndices(a, k));
  let both = 0;
  for (const i of topIndices(b, k)) if (ta.has(i)) both++;
  return both / k;
}

/** |theta - theta0| per weight. */
export function movement(trained: Float64Array, init: Float64Array): Float64Array {
  if (trained.length !== init.length) throw new Error(`movement: lengths differ (${trained.length} vs ${init.length})`);
  return trained.map((t, i) => Math.abs(t - init[i]));
}

/**
 * Share of the top `ratio` by `score` (the critical weights) that lie in the `fraction` least-moved weights
 * (smallest `moved`; ties: lower index first). Independence gives `fraction`.
 */
export function leastMovedShare(score: Float64Array, moved: Float64Array, ratio: number, fraction = 0.1): number {
  if (score.length !== moved.length) throw new Error(`leastMovedShare: lengths differ (${score.length} vs ${moved.length})`);
  const least = new Set(ascending(moved).subarray(0, fractionCount(moved.length, fraction)));
  const critical = topIndices(score, fractionCount(score.length, ratio));
  let inside = 0;
  for (const i of critical) if (least.has(i)) inside++;
  return inside / critical.length;
}
