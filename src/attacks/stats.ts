// Small numeric helpers shared by the attacks: order statistics, moments, the normal distribution.
// Everything is float64 and allocation-free where it matters (callers pass scratch buffers).

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** Median of `buf[0..len)`; sorts that prefix in place. Even counts average the two middle values (numpy). */
export function medianInPlace(buf: Float64Array, len: number): number {
  if (len === 0) return NaN;
  const v = buf.subarray(0, len).sort();
  const h = len >> 1;
  return len % 2 === 1 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

/** Arithmetic mean of `buf[0..len)`. */
export function meanOf(buf: Float64Array, len: number): number {
  let s = 0;
  for (let k = 0; k < len; k++) s += buf[k];
  return s / len;
}

/** Population standard deviation (ddof 0, numpy's default) of `buf[0..len)`, two-pass. */
export function stdOf(buf: Float64Array, len: number): number {
  if (len === 0) return NaN;
  const m = meanOf(buf, len);
  let s = 0;
  for (let k = 0; k < len; k++) {
    const d = buf[k] - m;
    s += d * d;
  }
  return Math.sqrt(s / len);
}

/**
 * Trimmed mean of `buf[0..len)` as scipy.stats.trim_mean: cut floor(proportion * len) values from each
 * end of the sorted data and average the rest. `proportion` 0 gives the plain mean (no sort).
 * Sorts the prefix in place when proportion > 0.
 */
export function trimmedMeanInPlace(buf: Float64Array, len: number, proportion: number): number {
  if (len === 0) return NaN;
  const cut = Math.floor(proportion * len);
  if (cut === 0) return meanOf(buf, len);
  const v = buf.subarray(0, len).sort();
  let s = 0;
  for (let k = cut; k < len - cut; k++) s += v[k];
  return s / (len - 2 * cut);
}

/** log N(x; mu, sigma). */
export function normLogPdf(x: number, mu: number, sigma: number): number {
  const z = (x - mu) / sigma;
  return -0.5 * z * z - Math.log(sigma) - LOG_SQRT_2PI;
}

/**
 * log erfc(x) for x >= 0, accurate to ~1e-14 relative in erfc and never underflowing:
 * a positive-term series for erf when x < 1.5, the Laplace continued fraction beyond.
 */
function logErfcNonNeg(x: number): number {
  if (x < 1.5) {
    // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)); all terms positive.
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    const erf = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    return Math.log1p(-erf);
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated backwards.
  let t = x;
  for (let k = x < 2.5 ? 100 : 50; k >= 1; k--) t = x + k / 2 / t;
  return -x * x - LOG_SQRT_PI - Math.log(t);
}

/** erfc(x) for any real x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 0) return Math.exp(logErfcNonNeg(x));
  return 2 - Math.exp(logErfcNonNeg(-x));
}

/** log of the standard normal survival function, log(1 - Phi(z)), accurate in both tails (no underflow). */
export function normLogSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === Infinity) return -Infinity;
  if (z >= 0) return logErfcNonNeg(z / Math.SQRT2) - Math.LN2;
  // 1 - Phi(z) = 1 - Phi(-|z|) = 1 - 0.5 erfc(|z|/sqrt2)
  return Math.log1p(-0.5 * Math.exp(logErfcNonNeg(-z / Math.SQRT2)));
}

/** Number of entries of the ascending array `sorted` that are strictly less than `v` (lower bound). */
export function countLess(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
