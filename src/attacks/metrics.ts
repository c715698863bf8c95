// Membership-inference metrics: exact ROC, AUC, balanced accuracy, TPR at low FPR.
// Convention everywhere in cwrf: a higher score means "more likely a member".

import { InputError, check } from '../util/errors.ts';

/** An exact ROC curve: one point per distinct score threshold, plus the (0,0) start. */
export interface Roc {
  /** False-positive rates, non-decreasing, fpr[0] = 0, last = 1. */
  fpr: Float64Array;
  /** True-positive rates, non-decreasing, tpr[0] = 0, last = 1. */
  tpr: Float64Array;
  /** thresholds[k]: point k predicts "member" iff score >= thresholds[k]; thresholds[0] = +Infinity. */
  thresholds: Float64Array;
  /** Number of members (positives) and non-members (negatives) the curve was computed from. */
  positives: number;
  negatives: number;
}

/** Threshold-free summary of an attack's scores against the ground truth. */
export interface Summary {
  auc: number;
  /** max over thresholds of 1 - (FPR + 1 - TPR)/2. */
  balancedAccuracy: number;
  /** TPR at FPR <= 0.1% (non-strict; see tprAtFpr). */
  tprAt0_1pct: number;
  /** TPR at FPR <= 1% (non-strict; see tprAtFpr). */
  tprAt1pct: number;
  members: number;
  nonMembers: number;
}

function validate(scores: Float64Array, isMember: Uint8Array): { pos: number; neg: number } {
  check(
    scores.length === isMember.length,
    () => `scores and membership labels differ in length (${scores.length} vs ${isMember.length})`,
  );
  let pos = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!Number.isFinite(s)) throw new InputError(`score ${i} is not finite (${s}); scores must be finite numbers`);
    const m = isMember[i];
    if (m > 1) throw new InputError(`membership label ${i} is ${m}; expected 0 or 1`);
    pos += m;
  }
  const neg = scores.length - pos;
  check(pos > 0, 'no members among the scored examples: the ROC needs at least one member and one non-member');
  check(neg > 0, 'no non-members among the scored examples: the ROC needs at least one member and one non-member');
  return { pos, neg };
}

/**
 * Exact ROC over all distinct thresholds, O(n log n). Examples with equal scores form a single step
 * (no arbitrary tie order), so the curve starts at (0,0), ends at (1,1) and has one point per distinct score.
 * Throws InputError on non-finite scores, length mismatch, or when members or non-members are absent.
 */
export function roc(scores: Float64Array, isMember: Uint8Array): Roc {
  const { pos, neg } = validate(scores, isMember);
  // Sort members' and non-members' scores separately (native numeric sort), then sweep both from the top.
  const P = new Float64Array(pos);
  const N = new Float64Array(neg);
  for (let k = 0, a = 0, b = 0; k < scores.length; k++) {
    if (isMember[k] === 1) P[a++] = scores[k];
    else N[b++] = scores[k];
  }
  P.sort();
  N.sort();
  const fpr: number[] = [0];
  const tpr: number[] = [0];
  const thr: number[] = [Infinity];
  let i = pos - 1;
  let j = neg - 1;
  while (i >= 0 || j >= 0) {
    const s = i < 0 ? N[j] : j < 0 ? P[i] : Math.max(P[i], N[j]);
    while (i >= 0 && P[i] === s) i--;
    while (j >= 0 && N[j] === s) j--;
    fpr.push((neg - 1 - j) / neg);
    tpr.push((pos - 1 - i) / pos);
    thr.push(s);
  }
  return {
    fpr: Float64Array.from(fpr),
    tpr: Float64Array.from(tpr),
    thresholds: Float64Array.from(thr),
    positives: pos,
    negatives: neg,
  };
}

/** Area under the ROC curve by the trapezoid rule (ties count one half, as the Mann-Whitney U statistic). */
export function auc(curve: Pick<Roc, 'fpr' | 'tpr'>): number {
  const { fpr, tpr } = curve;
  let a = 0;
  for (let k = 1; k < fpr.length; k++) a += (fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1]) * 0.5;
  return a;
}

/** max over the ROC points of 1 - (FPR + 1 - TPR)/2 (>= 0.5: the (0,0) point is always there). */
export function balancedAccuracy(curve: Pick<Roc, 'fpr' | 'tpr'>): number {
  let best = 0;
  for (let k = 0; k < curve.fpr.length; k++) {
    const v = 1 - (curve.fpr[k] + 1 - curve.tpr[k]) / 2;
    if (v > best) best = v;
  }
  return best;
}

/**
 * TPR at the largest ROC point whose FPR is <= `maxFpr` (the convention of ml_privacy_meter).
 * With `{ strict: true }` the condition is FPR < maxFpr, as in LiRA's plot.py
 * (`tpr[np.where(fpr < x)[0][-1]]`); the two differ only when a ROC point lies exactly at maxFpr.
 * Returns 0 when no point qualifies (only possible with strict and maxFpr <= 0).
 */
export function tprAtFpr(curve: Pick<Roc, 'fpr' | 'tpr'>, maxFpr: number, opts: { strict?: boolean } = {}): number {
  const { fpr, tpr } = curve;
  const ok = opts.strict ? (f: number) => f < maxFpr : (f: number) => f <= maxFpr;
  // fpr is non-decreasing: binary search for the last qualifying index.
  let lo = 0;
  let hi = fpr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ok(fpr[mid])) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : tpr[lo - 1];
}

/** AUC, balanced accuracy, TPR at 0.1% and 1% FPR (non-strict <=), and the class counts of `scores`. */
export function summarize(scores: Float64Array, isMember: Uint8Array): Summary {
  const r = roc(scores, isMember);
  return {
    auc: auc(r),
    balancedAccuracy: balancedAccuracy(r),
    tprAt0_1pct: tprAtFpr(r, 0.001),
    tprAt1pct: tprAtFpr(r, 0.01),
    members: r.positives,
    nonMembers: r.negatives,
  };
}
