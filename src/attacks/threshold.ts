// Threshold attacks (Song & Mittal 2021): one threshold per class on a scalar signal, chosen on the
// reference (shadow) models' members / non-members, applied to the target model.
// Follows inspire-group/membership-inference-evaluation (see /work/shared/SPECS.md).

import { check } from '../util/errors.ts';
import { type AttackData, resolveDesign, checkSignalMatrix, targetMembership } from './common.ts';
import { type Summary, summarize } from './metrics.ts';

export interface ThresholdData extends AttackData {
  /** True label of each of the n examples. */
  labels: Int32Array;
  /** Number of classes; labels are in 0..classes-1. */
  classes: number;
}

export interface ThresholdResult {
  /** Per class: the target's example is predicted "member" iff signal >= thresholds[label]. */
  thresholds: Float64Array;
  /** Per class: true when the class lacked shadow members or non-members and used the all-class threshold. */
  fallback: Uint8Array;
  /** Per-example decision on the target model (1 = member). */
  decisions: Uint8Array;
  /** Fraction of the target's examples decided correctly. */
  accuracy: number;
  /** (TPR + 1 - FPR) / 2 of the decisions: the "MIA accuracy" of Song & Mittal's code. */
  balancedAccuracy: number;
  tpr: number;
  fpr: number;
  /** Threshold-free metrics of the raw signal on the target (summarize(signal_target, membership)). */
  metrics: Summary;
}

/**
 * The threshold (among the observed values) maximising 0.5 * (fraction of members >= t + fraction of
 * non-members < t), as Song & Mittal's _thre_setting; ties go to the smallest such value. O(k log k) (two native sorts and a merge sweep).
 */
export function chooseThreshold(
  members: Float64Array,
  nonMembers: Float64Array,
): { threshold: number; balancedAccuracy: number } {
  const nm = members.length;
  const nn = nonMembers.length;
  check(nm > 0 && nn > 0, 'choosing a threshold needs at least one member and one non-member');
  const M = Float64Array.from(members).sort();
  const N = Float64Array.from(nonMembers).sort();
  // Sweep the distinct values v ascending; i / j = members / non-members strictly below v.
  let i = 0;
  let j = 0;
  let best = -1;
  let bestT = NaN;
  while (i < nm || j < nn) {
    const v = i >= nm ? N[j] : j >= nn ? M[i] : Math.min(M[i], N[j]);
    const acc = 0.5 * ((nm - i) / nm + j / nn);
    if (acc > best) {
      best = acc;
      bestT = v;
    }
    while (i < nm && M[i] === v) i++;
    while (j < nn && N[j] === v) j++;
  }
  return { threshold: bestT, balancedAccuracy: best };
}

/**
 * Threshold attack with one threshold per class. `signal` is [models x n] (higher = more member-like:
 * -loss, confidence, -entropy, -modified entropy, or phi). Thresholds are chosen on the pooled
 * (reference model, example) pairs of each class, members = inclusion 1; a class without shadow members
 * or non-members uses the threshold chosen on all classes together. Returns the target's decisions,
 * their accuracy / TPR / FPR, and the threshold-free AUC etc. of the target's signal.
 */
export function thresholdAttack(signal: Float64Array, data: ThresholdData): ThresholdResult {
  const refs = resolveDesign(data);
  const { inclusion, models, n, target, labels, classes } = data;
  check(Number.isInteger(classes) && classes >= 1, `classes must be a positive integer (got ${classes})`);
  check(labels.length === n, () => `labels have ${labels.length} entries; expected n = ${n}`);
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0 || labels[i] >= classes) check(false, `label ${i} is ${labels[i]}; expected 0..${classes - 1}`);
  }
  checkSignalMatrix('signal', signal, models, n, [target, ...refs]);

  // Count, then bucket the shadow values per class and membership.
  const cm = new Int32Array(classes);
  const cn = new Int32Array(classes);
  for (const r of refs) {
    for (let i = 0; i < n; i++) {
      if (inclusion[r * n + i] === 1) cm[labels[i]]++;
      else cn[labels[i]]++;
    }
  }
  const totMem = cm.reduce((s, v) => s + v, 0);
  const totNon = cn.reduce((s, v) => s + v, 0);
  check(
    totMem > 0 && totNon > 0,
    'threshold attack: the reference models have no members or no non-members to choose thresholds on',
  );
  const mem = Array.from(cm, (c) => new Float64Array(c));
  const non = Array.from(cn, (c) => new Float64Array(c));
  const fm = new Int32Array(classes);
  const fn = new Int32Array(classes);
  for (const r of refs) {
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      if (inclusion[r * n + i] === 1) mem[c][fm[c]++] = signal[r * n + i];
      else non[c][fn[c]++] = signal[r * n + i];
    }
  }
  const thresholds = new Float64Array(classes);
  const fallback = new Uint8Array(classes);
  for (let c = 0; c < classes; c++) {
    if (cm[c] > 0 && cn[c] > 0) thresholds[c] = chooseThreshold(mem[c], non[c]).threshold;
    else fallback[c] = 1;
  }
  if (fallback.includes(1)) {
    // The all-class threshold, for classes lacking shadow members or non-members.
    const concat = (parts: Float64Array[], total: number) => {
      const all = new Float64Array(total);
      let off = 0;
      for (const p of parts) {
        all.set(p, off);
        off += p.length;
      }
      return all;
    };
    const global = chooseThreshold(concat(mem, totMem), concat(non, totNon)).threshold;
    for (let c = 0; c < classes; c++) if (fallback[c] === 1) thresholds[c] = global;
  }

  const member = targetMembership(data);
  const row = signal.subarray(target * n, (target + 1) * n);
  const decisions = new Uint8Array(n);
  let tp = 0;
  let fp = 0;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const d = row[i] >= thresholds[labels[i]] ? 1 : 0;
    decisions[i] = d;
    pos += member[i];
    if (d === 1) {
      if (member[i] === 1) tp++;
      else fp++;
    }
  }
  const neg = n - pos;
  const metrics = summarize(Float64Array.from(row), member); // also rejects a target without members / non-members
  const tpr = tp / pos;
  const fpr = fp / neg;
  const correct = tp + (neg - fp);
  return {
    thresholds,
    fallback,
    decisions,
    accuracy: correct / n,
    balancedAccuracy: (tpr + 1 - fpr) / 2,
    tpr,
    fpr,
    metrics,
  };
}
