// An empirical lower bound on epsilon from an attack's ROC (DP auditing: Jagielski et al. 2020, Nasr et al. 2021;
// tensorflow/privacy epsilon_lower_bound). Any (eps, delta)-DP training satisfies, at every threshold,
//   TPR <= e^eps FPR + delta   and   1 - FPR <= e^eps (1 - TPR) + delta,
// so with a lower confidence bound on TPR and an upper one on FPR each inequality bounds eps from below.
import { check } from '../util/errors.ts';
import { clopperPearson } from './beta.ts';
import type { Roc } from './metrics.ts';

/** The largest epsilon lower bound over an ROC's thresholds, and where it was found. */
export interface AuditedEpsilon {
  /** max(0, the bound): the evidence supports epsilon >= this at the level below. */
  epsilon: number;
  delta: number;
  /** Each of TPR's lower and FPR's upper bound is one-sided at (1 + level) / 2 (Clopper-Pearson), so both hold at `level`. */
  level: number;
  /** The ROC point giving the bound (absent when no threshold bounds epsilon above 0). */
  at?: { threshold: number; tpr: number; fpr: number; tprLow: number; fprHigh: number };
}

/**
 * The audited epsilon of an attack: max over ROC points of ln((TPR_lo - delta) / FPR_hi) and
 * ln((1 - FPR_hi - delta) / (1 - TPR_lo)), with Clopper-Pearson bounds on the member and non-member counts.
 * Taking the max over thresholds is what the DP-auditing literature reports; it is a check, not an estimate.
 */
export function auditedEpsilon(curve: Roc, delta: number, level = 0.95): AuditedEpsilon {
  check(delta >= 0 && delta < 1, () => `delta must be in [0, 1), got ${delta}`);
  const P = curve.positives;
  const N = curve.negatives;
  const tprLow = new Map<number, number>();
  const fprHigh = new Map<number, number>();
  const lowOf = (k: number) => tprLow.get(k) ?? tprLow.set(k, clopperPearson(k, P, level)[0]).get(k)!;
  const highOf = (f: number) => fprHigh.get(f) ?? fprHigh.set(f, clopperPearson(f, N, level)[1]).get(f)!;
  const out: AuditedEpsilon = { epsilon: 0, delta, level };
  for (let i = 0; i < curve.fpr.length; i++) {
    const k = Math.round(curve.tpr[i] * P);
    const f = Math.round(curve.fpr[i] * N);
    if (k * N <= f * P) continue; // TPR <= FPR: neither inequality can bound epsilon above 0
    const lo = lowOf(k);
    const hi = highOf(f);
    const e1 = lo - delta > 0 ? Math.log((lo - delta) / hi) : -Infinity;
    const e2 = 1 - hi - delta > 0 && lo < 1 ? Math.log((1 - hi - delta) / (1 - lo)) : -Infinity;
    const e = Math.max(e1, e2);
    if (e > out.epsilon) {
      out.epsilon = e;
      out.at = { threshold: curve.thresholds[i], tpr: curve.tpr[i], fpr: curve.fpr[i], tprLow: lo, fprHigh: hi };
    }
  }
  return out;
}
