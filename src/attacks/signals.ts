// Per-example membership signals from raw logits, in float64 and numerically stable.
// For every signal a higher value means "more member-like".

import { check } from '../util/errors.ts';

/** The attack signals computeSignals returns (all "higher = more member-like"). */
export type SignalName = 'phi' | 'pY' | 'negLoss' | 'confidence' | 'negEntropy' | 'negModEntropy';

/** All signal names, in a fixed order. */
export const SIGNAL_NAMES: readonly SignalName[] = [
  'phi',
  'pY',
  'negLoss',
  'confidence',
  'negEntropy',
  'negModEntropy',
];

/** Per-example signals of one model, plus the plain cross-entropy loss. */
export type Signals = Record<SignalName, Float64Array> & {
  /** Cross-entropy -log p_y at temperature 1, exact (not clamped); lower = more member-like. */
  loss: Float64Array;
};

export interface SignalOptions {
  /** Softmax temperature T for `pY` only (RMIA's signal; the paper config uses T = 2). Default 1. */
  temperature?: number;
}

/** Song & Mittal's floor inside logarithms: log(max(p, 1e-30)). */
const LOG_EPS = Math.log(1e-30);

type Logits = Float32Array | Float64Array;

function checkInputs(logits: Logits, labels: Int32Array, n: number, C: number): void {
  check(Number.isInteger(n) && n >= 0, `n must be a non-negative integer (got ${n})`);
  check(Number.isInteger(C) && C >= 2, `the number of classes must be an integer >= 2 (got ${C})`);
  check(logits.length === n * C, () => `logits have ${logits.length} values; expected n * C = ${n} * ${C} = ${n * C}`);
  check(labels.length === n, () => `labels have ${labels.length} entries; expected n = ${n}`);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y < 0 || y >= C) check(false, `label ${i} is ${y}; expected a class in 0..${C - 1}`);
  }
  for (let k = 0; k < logits.length; k++) {
    if (!Number.isFinite(logits[k]))
      check(false, `logit ${k} (example ${Math.floor(k / C)}) is not finite (${logits[k]})`);
  }
}

/**
 * Computes, for n examples with C-class logits (row-major [n, C]) and integer labels:
 * - `phi`: LiRA's logit-scaled confidence log(p_y / (1 - p_y)) = z_y - logsumexp_{j != y} z_j;
 * - `pY`: softmax probability of the true class at temperature T (RMIA's signal);
 * - `negLoss`: -CE = log(max(p_y, 1e-30));
 * - `confidence`: p_y;
 * - `negEntropy`: -H(p) with H = -sum_j p_j log(max(p_j, 1e-30));
 * - `negModEntropy`: -M with M = -(1 - p_y) log(max(p_y, 1e-30)) - sum_{j != y} p_j log(max(1 - p_j, 1e-30));
 * - `loss`: CE = -log p_y, exact.
 * Every signal except `pY` uses temperature 1. 1 - p_j is computed without cancellation (from the sum of
 * the other classes' exponentials when j is the arg-max). Throws InputError on non-finite logits,
 * out-of-range labels or mismatched sizes.
 */
export function computeSignals(
  logits: Logits,
  labels: Int32Array,
  n: number,
  C: number,
  opts: SignalOptions = {},
): Signals {
  checkInputs(logits, labels, n, C);
  const T = opts.temperature ?? 1;
  check(Number.isFinite(T) && T > 0, `temperature must be a positive finite number (got ${T})`);
  const out: Signals = {
    phi: new Float64Array(n),
    pY: new Float64Array(n),
    negLoss: new Float64Array(n),
    confidence: new Float64Array(n),
    negEntropy: new Float64Array(n),
    negModEntropy: new Float64Array(n),
    loss: new Float64Array(n),
  };
  const e = new Float64Array(C); // exp(z_j - max)
  for (let i = 0; i < n; i++) {
    const off = i * C;
    const y = labels[i];
    const zy = logits[off + y];
    // arg-max and max over all classes, and max over j != y
    let am = 0;
    let m = logits[off];
    let mr = -Infinity;
    for (let j = 0; j < C; j++) {
      const z = logits[off + j];
      if (z > m) {
        m = z;
        am = j;
      }
      if (j !== y && z > mr) mr = z;
    }
    let S = 0; // sum_j exp(z_j - m)
    let Swo = 0; // sum_{j != am} exp(z_j - m)
    let Sr = 0; // sum_{j != y} exp(z_j - mr)
    for (let j = 0; j < C; j++) {
      const z = logits[off + j];
      const v = Math.exp(z - m);
      e[j] = v;
      S += v;
      if (j !== am) Swo += v;
      if (j !== y) Sr += Math.exp(z - mr);
    }
    const logS = Math.log(S);
    const lse = m + logS;
    const logPy = zy - lse;
    const py = Math.exp(logPy);

    out.phi[i] = zy - (mr + Math.log(Sr));
    out.loss[i] = -logPy;
    out.negLoss[i] = Math.max(logPy, LOG_EPS);
    out.confidence[i] = py;
    if (T === 1) {
      out.pY[i] = py;
    } else {
      let ST = 0;
      const mT = m / T;
      for (let j = 0; j < C; j++) ST += Math.exp(logits[off + j] / T - mT);
      out.pY[i] = Math.exp(zy / T - mT - Math.log(ST));
    }

    // log(1 - p_j): exact via the other classes' sum for the arg-max, log1p(-p_j) otherwise (p_j <= 1/2 there
    // unless tied, where log1p is accurate anyway).
    let H = 0;
    let M = 0;
    for (let j = 0; j < C; j++) {
      const logPj = logits[off + j] - lse;
      const pj = e[j] / S;
      H -= pj * Math.max(logPj, LOG_EPS);
      if (j !== y) {
        const log1mPj = j === am ? Math.log(Swo) - logS : Math.log1p(-pj);
        M -= pj * Math.max(log1mPj, LOG_EPS);
      }
    }
    const oneMinusPy = y === am ? Swo / S : 1 - py;
    M -= oneMinusPy * Math.max(logPy, LOG_EPS);
    out.negEntropy[i] = -H;
    out.negModEntropy[i] = -M;
  }
  return out;
}

/**
 * Signals of several models on the same n examples, stacked into [models x n] row-major matrices
 * (the layout every attack takes). `logitsPerModel[m]` is model m's [n, C] logits.
 */
export function computeSignalMatrices(
  logitsPerModel: readonly Logits[],
  labels: Int32Array,
  n: number,
  C: number,
  opts: SignalOptions = {},
): Signals {
  const M = logitsPerModel.length;
  check(M > 0, 'no models given');
  const out: Signals = {
    phi: new Float64Array(M * n),
    pY: new Float64Array(M * n),
    negLoss: new Float64Array(M * n),
    confidence: new Float64Array(M * n),
    negEntropy: new Float64Array(M * n),
    negModEntropy: new Float64Array(M * n),
    loss: new Float64Array(M * n),
  };
  for (let m = 0; m < M; m++) {
    const s = computeSignals(logitsPerModel[m], labels, n, C, opts);
    for (const k of [...SIGNAL_NAMES, 'loss'] as const) out[k].set(s[k], m * n);
  }
  return out;
}
