// LiRA, the likelihood-ratio attack (Carlini et al. 2022), on a precomputed signal matrix.
// Follows tensorflow/privacy research/mi_lira_2021/plot.py (see /work/shared/SPECS.md).

import { check } from '../util/errors.ts';
import { type AttackData, resolveDesign, checkSignalMatrix } from './common.ts';
import { medianInPlace, normLogPdf, normLogSf, stdOf } from './stats.ts';

export interface LiraOptions {
  /** 'online' (IN and OUT Gaussians, default) or 'offline' (OUT Gaussian only). */
  mode?: 'online' | 'offline';
  /** 'per-example' std of each example's IN/OUT signals (default) or one 'fixed' global std (better with few refs). */
  variance?: 'per-example' | 'fixed';
  /**
   * Offline test. 'one-sided' (default; the paper): score = -log(1 - CDF_out(phi)), i.e. -log of the
   * p-value of phi under N(mu_out, sigma_out): large when phi is far ABOVE the OUT distribution, and
   * monotone in the z-score (phi - mu_out) / sigma_out for a single query. 'two-sided' (the reference code):
   * score = -log N(phi; mu_out, sigma_out), large when phi is far from mu_out in either direction.
   */
  offlineTest?: 'one-sided' | 'two-sided';
  /**
   * Which global std the fixed-variance ONLINE attack uses. 'reference' (default): as plot.py, one std
   * of all IN signals (over examples, refs and queries, around their global mean) for both Gaussians,
   * which makes the online score linear in phi per example. 'separate': IN std for the IN Gaussian, OUT
   * std for the OUT one. Offline fixed variance always uses the std of all OUT signals.
   */
  fixedSigma?: 'reference' | 'separate';
  /** Queries (augmentations) per example: `phi` is then [models x n x queries]; per-query log-ratios are averaged. */
  queries?: number;
  /**
   * Use the same number of IN (and OUT) references for every example: the first k in `refs` order, k the
   * smallest count over the examples that have any (plot.py does this). Default true. Otherwise an
   * example's counts differ by one with the target's membership under a balanced design.
   */
  equalizeCounts?: boolean;
  /**
   * By default an example without an IN reference (online) or without an OUT reference is an InputError
   * (use more references or a balanced design, where every example is IN for half the models).
   * With allowMissing such examples get the score NaN instead.
   */
  allowMissing?: boolean;
}

const SIGMA_EPS = 1e-30;

/**
 * LiRA membership scores of the target model's n examples (higher = more likely a member).
 * `phi` is the logit-scaled confidence, [models x n] row-major, or [models x n x queries] with
 * opts.queries. Per example (and query): mu_in / mu_out = median of phi over the IN / OUT reference
 * models, sigma = std (ddof 0) + 1e-30, or one global std with variance 'fixed'.
 * Online: log N(phi; mu_in, sigma_in) - log N(phi; mu_out, sigma_out). Offline: see opts.offlineTest.
 */
export function liraScores(phi: Float64Array, data: AttackData, opts: LiraOptions = {}): Float64Array {
  const refs = resolveDesign(data);
  const { inclusion, models, n, target } = data;
  const mode = opts.mode ?? 'online';
  const variance = opts.variance ?? 'per-example';
  const offlineTest = opts.offlineTest ?? 'one-sided';
  const fixedSigma = opts.fixedSigma ?? 'reference';
  const Q = opts.queries ?? 1;
  check(mode === 'online' || mode === 'offline', `unknown LiRA mode '${mode}'; expected online or offline`);
  check(
    variance === 'per-example' || variance === 'fixed',
    `unknown LiRA variance '${variance}'; expected per-example or fixed`,
  );
  check(offlineTest === 'one-sided' || offlineTest === 'two-sided', `unknown offline test '${offlineTest}'`);
  check(fixedSigma === 'reference' || fixedSigma === 'separate', `unknown fixedSigma '${fixedSigma}'`);
  check(Number.isInteger(Q) && Q >= 1, `queries must be a positive integer (got ${Q})`);
  checkSignalMatrix('phi', phi, models, n * Q, [target, ...refs]);
  const online = mode === 'online';
  const R = refs.length;

  // IN/OUT reference counts per example, and how many of each to use.
  const cin = new Int32Array(n);
  for (const r of refs) for (let i = 0; i < n; i++) cin[i] += inclusion[r * n + i];
  let missingIn = 0;
  let missingOut = 0;
  let kIn = R;
  let kOut = R;
  for (let i = 0; i < n; i++) {
    const ci = cin[i];
    const co = R - ci;
    if (ci === 0) missingIn++;
    else kIn = Math.min(kIn, ci);
    if (co === 0) missingOut++;
    else kOut = Math.min(kOut, co);
  }
  const missing = (i: number) => cin[i] === R || (online && cin[i] === 0);
  if (!opts.allowMissing && (missingOut > 0 || (online && missingIn > 0))) {
    const parts: string[] = [];
    if (online && missingIn > 0) parts.push(`${missingIn} of ${n} examples have no IN reference model`);
    if (missingOut > 0) parts.push(`${missingOut} of ${n} examples have no OUT reference model`);
    check(
      false,
      `LiRA ${mode}: ${parts.join(' and ')} among ${R} references; use more reference models or a balanced ` +
        `inclusion design (each example IN for half the models), or pass allowMissing to score them NaN`,
    );
  }
  const equalize = opts.equalizeCounts ?? true;
  const useIn = (i: number) => (equalize ? kIn : cin[i]);
  const useOut = (i: number) => (equalize ? kOut : R - cin[i]);

  // Scratch: the used IN / OUT signal values of one example and query.
  const bufIn = new Float64Array(R);
  const bufOut = new Float64Array(R);
  const gather = (i: number, q: number): [number, number] => {
    const wantIn = online ? useIn(i) : 0;
    const wantOut = useOut(i);
    let a = 0;
    let b = 0;
    for (let k = 0; k < R && (a < wantIn || b < wantOut); k++) {
      const r = refs[k];
      const v = phi[(r * n + i) * Q + q];
      if (inclusion[r * n + i] === 1) {
        if (a < wantIn) bufIn[a++] = v;
      } else if (b < wantOut) bufOut[b++] = v;
    }
    return [a, b];
  };

  // Fixed variance: one std over all used IN (and OUT) values, around their global mean.
  let fixedIn = NaN;
  let fixedOut = NaN;
  if (variance === 'fixed') {
    const acc = { in: [0, 0, 0], out: [0, 0, 0] }; // count, sum, then sum of squared deviations
    for (let pass = 0; pass < 2; pass++) {
      const meanIn = acc.in[1] / acc.in[0];
      const meanOut = acc.out[1] / acc.out[0];
      for (let i = 0; i < n; i++) {
        if (missing(i)) continue;
        for (let q = 0; q < Q; q++) {
          const [a, b] = gather(i, q);
          for (let k = 0; k < a; k++) {
            if (pass === 0) {
              acc.in[0]++;
              acc.in[1] += bufIn[k];
            } else acc.in[2] += (bufIn[k] - meanIn) ** 2;
          }
          for (let k = 0; k < b; k++) {
            if (pass === 0) {
              acc.out[0]++;
              acc.out[1] += bufOut[k];
            } else acc.out[2] += (bufOut[k] - meanOut) ** 2;
          }
        }
      }
    }
    fixedIn = Math.sqrt(acc.in[2] / acc.in[0]);
    fixedOut = Math.sqrt(acc.out[2] / acc.out[0]);
    if (online && fixedSigma === 'reference') fixedOut = fixedIn;
  }

  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (missing(i)) {
      scores[i] = NaN;
      continue;
    }
    let sum = 0;
    for (let q = 0; q < Q; q++) {
      const x = phi[(target * n + i) * Q + q];
      const [a, b] = gather(i, q);
      const sOut = (variance === 'fixed' ? fixedOut : stdOf(bufOut, b)) + SIGMA_EPS;
      const muOut = medianInPlace(bufOut, b);
      if (online) {
        const sIn = (variance === 'fixed' ? fixedIn : stdOf(bufIn, a)) + SIGMA_EPS;
        const muIn = medianInPlace(bufIn, a);
        sum += normLogPdf(x, muIn, sIn) - normLogPdf(x, muOut, sOut);
      } else if (offlineTest === 'two-sided') {
        sum -= normLogPdf(x, muOut, sOut);
      } else {
        sum -= normLogSf((x - muOut) / sOut);
      }
    }
    scores[i] = sum / Q;
  }
  return scores;
}
