// How wide the noise of an audit metric is: AUC and TPR at low FPR with a seeded bootstrap over members and
// non-members (which also carries the threshold's noise, since the threshold is read off the non-members),
// and TPR with the exact (Clopper-Pearson) interval on the member count at the chosen threshold.
import { check } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import { clopperPearson } from './beta.ts';
import { roc, tprAtFpr, type Roc } from './metrics.ts';

/** A two-sided confidence interval. */
export interface Interval {
  low: number;
  high: number;
}

/** TPR at a fixed FPR: exact on the member count at the threshold, and by bootstrap. */
export interface TprInterval {
  /** Clopper-Pearson on k of m members above the chosen threshold (the threshold held fixed). */
  exact: Interval;
  /** Percentile bootstrap over members and non-members (the threshold re-chosen in each resample). */
  bootstrap: Interval;
}

/** Confidence intervals of an attack's headline metrics. */
export interface MetricIntervals {
  /** Two-sided confidence level, e.g. 0.95. */
  level: number;
  /** Bootstrap resamples (members and non-members each resampled with replacement, stratified). */
  resamples: number;
  auc: Interval;
  tprAt0_1pct: TprInterval;
  tprAt1pct: TprInterval;
}

/** Bootstrap settings: resamples, level, and the seed that makes the same scores give the same bytes. */
export interface IntervalOptions {
  resamples?: number;
  level?: number;
  seed?: number;
}

/** Default bootstrap resamples: percentile bounds of a 95% interval move by well under a point of AUC beyond this. */
export const DEFAULT_RESAMPLES = 1000;

/** numpy's default (linear) quantile of sorted values. */
function quantileSorted(v: Float64Array, q: number): number {
  const pos = q * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, v.length - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

function percentile(values: Float64Array, level: number): Interval {
  const v = values.slice().sort();
  return { low: quantileSorted(v, (1 - level) / 2), high: quantileSorted(v, (1 + level) / 2) };
}

/**
 * The examples grouped by distinct score, highest first: `group[i]` for each example, so a resample's ROC is a
 * sweep over groups with resampled counts (O(n) per resample, no re-sort).
 */
function scoreGroups(scores: Float64Array): { group: Int32Array; groups: number } {
  const order = Int32Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  const group = new Int32Array(scores.length);
  let g = -1;
  for (let k = 0; k < order.length; k++) {
    if (k === 0 || scores[order[k]] !== scores[order[k - 1]]) g++;
    group[order[k]] = g;
  }
  return { group, groups: g + 1 };
}

/** AUC, TPR@0.1% and TPR@1% of one resample given per-group member and non-member counts. */
function sweep(tp: Int32Array, fp: Int32Array, pos: number, neg: number): [number, number, number] {
  let TP = 0;
  let FP = 0;
  let a = 0;
  let t01 = 0;
  let t1 = 0;
  for (let g = 0; g < tp.length; g++) {
    const tp0 = TP;
    const fp0 = FP;
    TP += tp[g];
    FP += fp[g];
    a += ((FP - fp0) / neg) * ((TP + tp0) / pos) * 0.5;
    if (FP / neg <= 0.001) t01 = TP / pos;
    if (FP / neg <= 0.01) t1 = TP / pos;
  }
  return [a, t01, t1];
}

/** The exact interval of TPR at `maxFpr` on a curve: the member count at that point out of all members. */
export function exactTprInterval(curve: Roc, maxFpr: number, level = 0.95): Interval {
  const k = Math.round(tprAtFpr(curve, maxFpr) * curve.positives);
  const [low, high] = clopperPearson(k, curve.positives, level);
  return { low, high };
}

/** Confidence intervals of AUC and TPR at 0.1% / 1% FPR for `scores` against membership `isMember`. */
export function metricIntervals(scores: Float64Array, isMember: Uint8Array, o: IntervalOptions = {}): MetricIntervals {
  const resamples = o.resamples ?? DEFAULT_RESAMPLES;
  const level = o.level ?? 0.95;
  check(Number.isInteger(resamples) && resamples >= 1, () => `bootstrap resamples must be an integer >= 1, got ${resamples}`);
  check(level > 0 && level < 1, () => `confidence level must be in (0, 1), got ${level}`);
  const curve = roc(scores, isMember); // validates scores and labels
  const { group, groups } = scoreGroups(scores);
  const members = Int32Array.from(scores.keys()).filter((i) => isMember[i] === 1);
  const others = Int32Array.from(scores.keys()).filter((i) => isMember[i] !== 1);
  const rng = new Rng(o.seed ?? 0);
  const tp = new Int32Array(groups);
  const fp = new Int32Array(groups);
  const out = [new Float64Array(resamples), new Float64Array(resamples), new Float64Array(resamples)];
  for (let b = 0; b < resamples; b++) {
    tp.fill(0);
    fp.fill(0);
    for (let j = 0; j < members.length; j++) tp[group[members[rng.int(members.length)]]]++;
    for (let j = 0; j < others.length; j++) fp[group[others[rng.int(others.length)]]]++;
    const r = sweep(tp, fp, members.length, others.length);
    for (let m = 0; m < 3; m++) out[m][b] = r[m];
  }
  return {
    level,
    resamples,
    auc: percentile(out[0], level),
    tprAt0_1pct: { exact: exactTprInterval(curve, 0.001, level), bootstrap: percentile(out[1], level) },
    tprAt1pct: { exact: exactTprInterval(curve, 0.01, level), bootstrap: percentile(out[2], level) },
  };
}

/** Whether two intervals overlap: then the two estimates show no measurable difference at their level. */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.low <= b.high && b.low <= a.high;
}
