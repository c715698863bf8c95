// The attack set of an audit: which attacks, how their results are summarised (intervals, audited epsilon), and
// running them on a signal set (leave-one-out over every model when asked).
import {
  ATTACK_NAMES,
  auditedEpsilon,
  metricIntervals,
  roc,
  runAttacks,
  type AttackName,
  type AttackResult,
  type AuditedEpsilon,
  type MetricIntervals,
  type Summary,
} from '../attacks/index.ts';
import { Rng } from '../util/rng.ts';
import { type RunJson } from '../runs/run.ts';
import type { AuditJson } from './audit.ts';
import type { SignalSet } from './signals.ts';

/** Attacks run by default (all). */
export const DEFAULT_ATTACKS: AttackName[] = ATTACK_NAMES;

export interface AttackSummary {
  name: AttackName;
  metrics: Summary;
  /** 95% intervals of AUC (bootstrap) and TPR at 0.1% / 1% FPR (exact and bootstrap). */
  intervals?: MetricIntervals;
  /** The epsilon lower bound this attack's ROC supports at 95% confidence. */
  auditedEpsilon?: AuditedEpsilon;
  threshold?: { accuracy: number; balancedAccuracy: number; tpr: number; fpr: number };
  rmia?: { a: number; tuned: boolean };
}

/** The audited epsilon of an audit beside the DP accountant's. */
export interface EpsilonSummary {
  /** The largest audited epsilon over the attacks, and the attack that gave it (a max over attacks and thresholds). */
  audited: { epsilon: number; attack: string; delta: number; level: number };
  /** The accountant's epsilon of the run's DP-SGD training, when it has one, and what it covers. */
  accounted?: { epsilon: number; delta: number; covers: string };
}

/** delta of the audited epsilon when the run has no DP-SGD delta of its own. */
export const DEFAULT_DELTA = 1e-5;

/** Two-sided confidence level of every interval and of the audited epsilon. */
export const CONFIDENCE = 0.95;

/** How an audit measures its uncertainty: bootstrap resamples and seed, delta of the audited epsilon. */
export interface UncertaintyOptions {
  resamples: number;
  delta: number;
  seed: number;
}

function attackSummary(r: AttackResult, member: Uint8Array, u: UncertaintyOptions): AttackSummary {
  const extra = {
    intervals: metricIntervals(r.scores, member, {
      resamples: u.resamples,
      level: CONFIDENCE,
      seed: Rng.deriveSeed(u.seed, 'bootstrap', r.name),
    }),
    auditedEpsilon: auditedEpsilon(roc(r.scores, member), u.delta, CONFIDENCE),
  };
  return {
    name: r.name,
    metrics: r.metrics,
    ...extra,
    ...(r.threshold
      ? {
          threshold: {
            accuracy: r.threshold.accuracy,
            balancedAccuracy: r.threshold.balancedAccuracy,
            tpr: r.threshold.tpr,
            fpr: r.threshold.fpr,
          },
        }
      : {}),
    ...(r.rmia ? { rmia: { a: r.rmia.a, tuned: r.rmia.tuned } } : {}),
  };
}

/** Each attack's summary with its intervals and audited epsilon (target membership `member`). */
export function summarizeAttacks(results: AttackResult[], member: Uint8Array, u: UncertaintyOptions): AttackSummary[] {
  return results.map((r) => attackSummary(r, member, u));
}

/** The largest audited epsilon over the attacks' summaries. */
export function bestAudited(summaries: AttackSummary[], delta: number): EpsilonSummary['audited'] {
  let best: EpsilonSummary['audited'] = { epsilon: 0, attack: summaries[0]?.name ?? 'none', delta, level: CONFIDENCE };
  for (const s of summaries)
    if (s.auditedEpsilon && s.auditedEpsilon.epsilon > best.epsilon) best = { ...best, epsilon: s.auditedEpsilon.epsilon, attack: s.name };
  return best;
}

/**
 * The accountant's epsilon of a run trained with DP-SGD (its last epoch's), and what it covers: a defense stage
 * after training reads the members outside the accountant (CWRF's scores use their gradients), so then the bound
 * is the training's only and does not cover the released model.
 */
export function accountedEpsilon(run: Pick<RunJson, 'recipe' | 'metrics'>): EpsilonSummary['accounted'] {
  const dp = run.recipe.dp;
  const eps = run.metrics.history.at(-1)?.epsilon;
  if (!dp || eps === undefined) return undefined;
  const stages = run.recipe.defenses.map((d) => d.method);
  const covers = stages.length
    ? `the DP-SGD training only: the ${stages.join(', ')} stage reads the members outside the accountant, so no accountant bound covers the released model`
    : 'the released model (the output of DP-SGD training)';
  return { epsilon: eps, delta: dp.delta, covers };
}

/** Runs the attacks on a signal set (target row + references), optionally leave-one-out over every row. */
export function attackSignals(
  s: SignalSet,
  o: { attacks?: AttackName[]; leaveOneOut?: boolean; rmiaA?: number | 'tune' },
): { results: AttackResult[]; leaveOneOut?: AuditJson['leaveOneOut'] } {
  const models = s.inclusion.length / s.labels.length;
  const run = (target: number) => {
    const others = Array.from({ length: models }, (_, i) => i).filter((i) => i !== target);
    const a = o.rmiaA ?? 'tune';
    return runAttacks({
      signals: s.signals,
      inclusion: s.inclusion,
      labels: s.labels,
      classes: s.classes,
      target,
      refs: others,
      attacks: o.attacks,
      ...(s.queries && s.queries > 1 ? { lira: { queries: s.queries } } : {}),
      rmia: a === 'tune' && others.length >= 3 ? { a, pairedTarget: others[0], pairedRef: others[1] } : { a: a === 'tune' ? 0.3 : a },
    });
  };
  const results = run(s.target);
  if (!o.leaveOneOut) return { results };
  const per: Record<string, Summary[]> = {};
  for (let t = 0; t < models; t++) for (const r of t === s.target ? results : run(t)) (per[r.name] ??= []).push(r.metrics);
  const loo: NonNullable<AuditJson['leaveOneOut']> = {};
  for (const [name, ms] of Object.entries(per)) {
    const keys = ['auc', 'balancedAccuracy', 'tprAt0_1pct', 'tprAt1pct'] as const;
    const mean: Record<string, number> = {};
    const std: Record<string, number> = {};
    for (const k of keys) {
      const xs = ms.map((m) => m[k]);
      const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
      mean[k] = mu;
      // the spread over every target of this audit (each model in turn), not an estimate from a sample: n, not n - 1
      std[k] = Math.sqrt(xs.reduce((a, b) => a + (b - mu) ** 2, 0) / xs.length);
    }
    loo[name] = { targets: ms.length, mean, std };
  }
  return { results, leaveOneOut: loo };
}
