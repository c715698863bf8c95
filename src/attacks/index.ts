// One entry point running every membership-inference attack on exported signal matrices.

import { InputError, check } from '../util/errors.ts';
import type { AttackData } from './common.ts';
import { ATTACKS, type AttackResult, type RunAttacksInput } from './registry/index.ts';

export { roc, auc, balancedAccuracy, tprAtFpr, summarize } from './metrics.ts';
export type { Roc, Summary } from './metrics.ts';
export { computeSignals, computeSignalMatrices, SIGNAL_NAMES } from './signals.ts';
export type { SignalName, Signals, SignalOptions } from './signals.ts';
export { liraScores } from './lira.ts';
export type { LiraOptions } from './lira.ts';
export { rmiaScores, rmiaRatios, tuneA } from './rmia.ts';
export type { RmiaOptions, TuneAResult } from './rmia.ts';
export { thresholdAttack, chooseThreshold } from './threshold.ts';
export type { ThresholdData, ThresholdResult } from './threshold.ts';
export type { AttackData } from './common.ts';
export { betaCdf, betaQuantile, clopperPearson } from './beta.ts';
export { metricIntervals, overlaps, DEFAULT_RESAMPLES } from './intervals.ts';
export type { Interval, MetricIntervals, TprInterval, IntervalOptions } from './intervals.ts';
export { auditedEpsilon } from './audited-epsilon.ts';
export type { AuditedEpsilon } from './audited-epsilon.ts';

export { ATTACKS } from './registry/index.ts';
export type { AttackEntry, AttackContext, AttackName, AttackResult, RunAttacksInput } from './registry/index.ts';

/** All attack names, in report order. */
export const ATTACK_NAMES = ATTACKS.names();

/**
 * Runs the requested attacks against `input.target` and returns, per attack, its scores and metrics
 * (AUC, balanced accuracy, TPR at 0.1% / 1% FPR). Threshold attacks also report the decisions of
 * per-class thresholds chosen on the references. Pure function of the signal and inclusion matrices.
 */
export function runAttacks(input: RunAttacksInput): AttackResult[] {
  const { signals, inclusion, labels, target, refs } = input;
  const n = labels.length;
  check(n > 0, 'no examples: labels is empty');
  const models = inclusion.length / n;
  check(
    Number.isInteger(models) && models >= 2,
    () => `inclusion has ${inclusion.length} entries, not a multiple (>= 2) of the ${n} examples`,
  );
  const data: AttackData = { inclusion, models, n, target, refs };
  const queries = input.lira?.queries ?? 1;
  const wanted = input.attacks ?? ATTACK_NAMES.filter((a) => signals[ATTACKS.get(a).signal] !== undefined);
  check(wanted.length > 0, 'no attack to run: no signal matrix given');
  const member = inclusion.slice(target * n, (target + 1) * n);
  const results: AttackResult[] = [];
  for (const name of wanted) {
    if (!ATTACKS.has(name)) throw new InputError(`unknown attack '${name}'; expected one of ${ATTACK_NAMES.join(', ')}`);
    const spec = ATTACKS.get(name);
    const sig = signals[spec.signal];
    if (sig === undefined) throw new InputError(`attack '${name}' needs the '${spec.signal}' signal matrix`);
    results.push({ name, ...spec.run({ input, sig, data, member, models, n, queries }) });
  }
  return results;
}
