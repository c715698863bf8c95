// RDP accountant for the subsampled Gaussian mechanism (DP-SGD with Poisson sampling), a faithful port
// of Opacus (pytorch/opacus: accountants/analysis/rdp.py, accountants/rdp.py, accountants/utils.py),
// itself derived from TF Privacy's rdp_accountant (Mironov, Talwar, Zhang 2019, arXiv:1908.10530).
//
// RDP of one step at order alpha is log(A_alpha) / (alpha - 1), with
//   integer alpha:    A = sum_{i=0..alpha} C(alpha,i) q^i (1-q)^(alpha-i) exp((i^2 - i) / (2 sigma^2))
//   fractional alpha: the two-sided erfc series of Opacus's _compute_log_a_for_frac_alpha,
// all in log space. Conversion to (epsilon, delta)-DP uses Balle et al. 2020 (Theorem 21), as Opacus:
//   eps = min_alpha [ rdp - (log delta + log alpha) / (alpha - 1) + log((alpha - 1) / alpha) ].
// The older TF Privacy conversion eps = min_alpha [ rdp - log(delta) / (alpha - 1) ] is available as
// `conversion: 'classic'` to reproduce published numbers that used it.

import { InputError, check } from '../../util/errors.ts';

/** Opacus's RDPAccountant.DEFAULT_ALPHAS: 1.1, 1.2, ..., 10.9, then 12, 13, ..., 63. */
export const DEFAULT_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, k) => 1 + (k + 1) / 10),
  ...Array.from({ length: 52 }, (_, k) => 12 + k),
]);

// ---- log-space helpers ----

const LOG_HALF = Math.log(0.5);
const SQRT_PI = Math.sqrt(Math.PI);
const LOG_SQRT_PI = Math.log(SQRT_PI);

function logAdd(x: number, y: number): number {
  const a = Math.min(x, y);
  const b = Math.max(x, y);
  if (a === -Infinity) return b;
  return Math.log1p(Math.exp(a - b)) + b;
}

function logSub(x: number, y: number): number {
  if (x < y) throw new Error('RDP accountant: log-space subtraction would be negative (numerical breakdown)');
  if (y === -Infinity) return x;
  if (x === y) return -Infinity;
  const d = Math.expm1(x - y);
  return d === Infinity ? x : Math.log(d) + y;
}

/** erf(x) by its Maclaurin series; accurate for |x| <~ 1.5. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) <= 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * sum;
}

/** log(erfc(x)) for x >= 1.2 via the Laplace continued fraction (modified Lentz), no underflow. */
function logErfcCf(x: number): number {
  // erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 10000; k++) {
    const a = k / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return -x * x - LOG_SQRT_PI - Math.log(f);
}

/**
 * log(erfc(x)), accurate in relative terms over the whole real line, including far in the tail where
 * erfc underflows (log erfc(30) = -904.3...). Plays the role of Opacus's `_log_erfc`
 * (log 2 + scipy.special.log_ndtr(-x sqrt 2)).
 */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) {
    // erfc(x) = 2 - erfc(-x), in [1, 2]: no cancellation.
    return Math.log(2 - Math.exp(logErfc(-x)));
  }
  if (x === Infinity) return -Infinity;
  if (x < 1.2) return Math.log1p(-erfSeries(x));
  return logErfcCf(x);
}

// ---- RDP of the sampled Gaussian mechanism ----

function logAIntAlpha(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  const logQ = Math.log(q);
  const log1mQ = Math.log(1 - q);
  let logBinom = 0; // log C(alpha, i), updated incrementally
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinom += Math.log((alpha - i + 1) / i);
    const s = logBinom + i * logQ + (alpha - i) * log1mQ + (i * i - i) / (2 * sigma * sigma);
    logA = logAdd(logA, s);
  }
  return logA;
}

function logAFracAlpha(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  const logQ = Math.log(q);
  const log1mQ = Math.log(1 - q);
  const s2 = Math.SQRT2 * sigma;
  let logAbsCoef = 0; // log |C(alpha, i)| for real alpha, updated incrementally
  let coefSign = 1;
  for (let i = 0; ; i++) {
    if (i > 0) {
      const r = (alpha - i + 1) / i;
      logAbsCoef += Math.log(Math.abs(r));
      if (r < 0) coefSign = -coefSign;
    }
    const j = alpha - i;
    const logT0 = logAbsCoef + i * logQ + j * log1mQ;
    const logT1 = logAbsCoef + j * logQ + i * log1mQ;
    const logE0 = LOG_HALF + logErfc((i - z0) / s2);
    const logE1 = LOG_HALF + logErfc((z0 - j) / s2);
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
    if (coefSign > 0) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30) break;
    if (i > 100000) throw new Error(`RDP accountant: erfc series did not converge (q=${q}, sigma=${sigma}, alpha=${alpha})`);
  }
  return logAdd(logA0, logA1);
}

/** RDP of one step of the sampled Gaussian mechanism at order `alpha` (Opacus `_compute_rdp`). */
function rdpOneStep(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0;
  if (sigma === 0) return Infinity;
  if (q === 1) return alpha / (2 * sigma * sigma);
  if (alpha === Infinity) return Infinity;
  const logA = Number.isInteger(alpha) ? logAIntAlpha(q, sigma, alpha) : logAFracAlpha(q, sigma, alpha);
  return logA / (alpha - 1);
}

function checkOrders(orders: readonly number[]): void {
  check(Array.isArray(orders) && orders.length > 0, 'RDP orders must be a non-empty list of numbers > 1');
  for (const a of orders) check(typeof a === 'number' && a > 1, `RDP order ${a} is invalid: orders must be numbers > 1`);
}

function checkMechanism(q: number, sigma: number, steps: number): void {
  check(Number.isFinite(q) && q >= 0 && q <= 1, `sample rate q must be in [0, 1], got ${q}`);
  check(Number.isFinite(sigma) && sigma >= 0, `noise multiplier sigma must be a finite number >= 0, got ${sigma}`);
  check(Number.isFinite(steps) && steps >= 0, `steps must be a finite number >= 0, got ${steps}`);
}

/**
 * RDP of `steps` compositions of the sampled Gaussian mechanism (sample rate `q`, noise multiplier
 * `sigma`) at each order (Opacus `compute_rdp`). Entries may be Infinity (sigma = 0).
 */
export function computeRdp(q: number, sigma: number, steps: number, orders: readonly number[] = DEFAULT_ORDERS): number[] {
  checkMechanism(q, sigma, steps);
  checkOrders(orders);
  return orders.map((a) => rdpOneStep(q, sigma, a) * steps);
}

/** Which RDP -> (eps, delta) conversion to use. */
export type RdpConversion = 'improved' | 'classic';

/** Result of an RDP -> DP conversion: epsilon and the order that attains it. */
export interface PrivacySpent {
  epsilon: number;
  bestOrder: number;
}

/**
 * Converts RDP values at `orders` into (epsilon, delta)-DP (Opacus `get_privacy_spent`):
 * 'improved' (default, Opacus): eps = min_a [rdp - (log delta + log a)/(a - 1) + log((a - 1)/a)];
 * 'classic' (TF Privacy before 2020): eps = min_a [rdp - log(delta)/(a - 1)].
 * NaN entries are ignored; if all are NaN the result is { epsilon: Infinity, bestOrder: NaN }.
 */
export function getPrivacySpent(
  orders: readonly number[],
  rdp: readonly number[],
  delta: number,
  opts: { conversion?: RdpConversion } = {},
): PrivacySpent {
  checkOrders(orders);
  check(rdp.length === orders.length, `RDP values (${rdp.length}) and orders (${orders.length}) must have the same length`);
  check(Number.isFinite(delta) && delta > 0 && delta < 1, `delta must be in (0, 1), got ${delta}`);
  const conversion = opts.conversion ?? 'improved';
  check(conversion === 'improved' || conversion === 'classic', `unknown RDP conversion '${conversion}' (use improved or classic)`);
  const logDelta = Math.log(delta);
  let best = -1;
  let bestEps = NaN;
  for (let k = 0; k < orders.length; k++) {
    const a = orders[k];
    const eps =
      conversion === 'improved'
        ? rdp[k] - (logDelta + Math.log(a)) / (a - 1) + Math.log((a - 1) / a)
        : rdp[k] - logDelta / (a - 1);
    if (Number.isNaN(eps)) continue;
    if (best < 0 || eps < bestEps) {
      best = k;
      bestEps = eps;
    }
  }
  if (best < 0) return { epsilon: Infinity, bestOrder: NaN };
  return { epsilon: bestEps, bestOrder: orders[best] };
}

/** epsilon after `steps` steps of DP-SGD with sample rate `q` and noise multiplier `sigma`, at `delta`. */
export function epsilon(
  q: number,
  sigma: number,
  steps: number,
  delta: number,
  opts: { orders?: readonly number[]; conversion?: RdpConversion } = {},
): number {
  const orders = opts.orders ?? DEFAULT_ORDERS;
  return getPrivacySpent(orders, computeRdp(q, sigma, steps, orders), delta, opts).epsilon;
}

/** Opacus's MAX_SIGMA: the noise search gives up (budget too low) beyond this. */
export const MAX_SIGMA = 1e6;

/** Options of noiseForEpsilon. */
export interface NoiseSearchOptions {
  targetEpsilon: number;
  delta: number;
  sampleRate: number;
  steps: number;
  /** Stop once target - eps(sigma) <= epsTolerance (default 0.01). */
  epsTolerance?: number;
  orders?: readonly number[];
}

/**
 * Smallest-ish noise multiplier whose epsilon is at most `targetEpsilon` (Opacus `get_noise_multiplier`):
 * sigma_high starts at 10 and doubles (first try 20) until eps(sigma_high) <= target, then the
 * bracket [0, sigma_high] is bisected until target - eps(sigma_high) <= epsTolerance. Returns sigma_high,
 * so eps(result) <= targetEpsilon always. Throws InputError if even sigma = 1e6 is not enough.
 */
export function noiseForEpsilon(o: NoiseSearchOptions): number {
  const tol = o.epsTolerance ?? 0.01;
  const orders = o.orders ?? DEFAULT_ORDERS;
  check(Number.isFinite(o.targetEpsilon) && o.targetEpsilon > 0, `target epsilon must be > 0, got ${o.targetEpsilon}`);
  check(Number.isFinite(tol) && tol > 0, `epsilon tolerance must be > 0, got ${tol}`);
  check(Number.isFinite(o.sampleRate) && o.sampleRate > 0 && o.sampleRate <= 1, `sample rate must be in (0, 1], got ${o.sampleRate}`);
  check(Number.isInteger(o.steps) && o.steps > 0, `steps must be a positive integer, got ${o.steps}`);
  const eps = (sigma: number) => epsilon(o.sampleRate, sigma, o.steps, o.delta, { orders });

  let epsHigh = Infinity;
  let sigmaLow = 0;
  let sigmaHigh = 10;
  while (epsHigh > o.targetEpsilon) {
    sigmaHigh *= 2;
    epsHigh = eps(sigmaHigh);
    if (sigmaHigh > MAX_SIGMA) {
      throw new InputError(
        `privacy budget too low: epsilon ${o.targetEpsilon} at delta ${o.delta} is not reachable with noise multiplier <= ${MAX_SIGMA} (sample rate ${o.sampleRate}, ${o.steps} steps)`,
      );
    }
  }
  while (o.targetEpsilon - epsHigh > tol) {
    const sigma = (sigmaLow + sigmaHigh) / 2;
    const e = eps(sigma);
    if (e < o.targetEpsilon) {
      sigmaHigh = sigma;
      epsHigh = e;
    } else {
      sigmaLow = sigma;
    }
  }
  return sigmaHigh;
}

/** One entry of an accountant's history: `steps` steps at sample rate `sampleRate` and noise `noiseMultiplier`. */
export interface RdpHistoryEntry {
  noiseMultiplier: number;
  sampleRate: number;
  steps: number;
}

/**
 * Accumulates DP-SGD steps and reports the privacy spent (Opacus RDPAccountant). Consecutive steps with
 * the same (noise multiplier, sample rate) are merged into one history entry.
 */
export class RdpAccountant {
  readonly history: RdpHistoryEntry[] = [];

  constructor(readonly orders: readonly number[] = DEFAULT_ORDERS) {
    checkOrders(orders);
  }

  /** Records `steps` (default 1) steps with the given noise multiplier and sample rate. */
  step(noiseMultiplier: number, sampleRate: number, steps = 1): this {
    checkMechanism(sampleRate, noiseMultiplier, steps);
    check(Number.isInteger(steps), `steps must be an integer, got ${steps}`);
    if (steps === 0) return this;
    const last = this.history[this.history.length - 1];
    if (last && last.noiseMultiplier === noiseMultiplier && last.sampleRate === sampleRate) last.steps += steps;
    else this.history.push({ noiseMultiplier, sampleRate, steps });
    return this;
  }

  /** Total number of steps recorded. */
  get totalSteps(): number {
    return this.history.reduce((n, h) => n + h.steps, 0);
  }

  /** Summed RDP over the history at this accountant's orders. */
  rdp(): number[] {
    const total = new Array<number>(this.orders.length).fill(0);
    for (const h of this.history) {
      const r = computeRdp(h.sampleRate, h.noiseMultiplier, h.steps, this.orders);
      for (let k = 0; k < r.length; k++) total[k] += r[k];
    }
    return total;
  }

  /** (epsilon, best order) at `delta`; { epsilon: 0, bestOrder: 0 } before any step, as in Opacus. */
  getPrivacySpent(delta: number, opts: { conversion?: RdpConversion } = {}): PrivacySpent {
    if (this.history.length === 0) return { epsilon: 0, bestOrder: 0 };
    return getPrivacySpent(this.orders, this.rdp(), delta, opts);
  }

  /** epsilon at `delta`. */
  getEpsilon(delta: number, opts: { conversion?: RdpConversion } = {}): number {
    return this.getPrivacySpent(delta, opts).epsilon;
  }
}
