// One entry point running every membership-inference attack on exported signal matrices.

import { InputError, check } from '../util/errors.ts';
import type { AttackData } from './common.ts';
import { type LiraOptions, liraScores } from './lira.ts';
import { type Summary, summarize } from './metrics.ts';
import { type RmiaOptions, rmiaScores, tuneA } from './rmia.ts';
import type { SignalName } from './signals.ts';
import { type ThresholdResult, thresholdAttack } from './threshold.ts';

export { roc, auc, balancedAccuracy, tprAtFpr, summarize, downsampleRoc } from './metrics.ts';
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

/** Names of the attacks runAttacks knows. */
export type AttackName =
  | 'lira-online'
  | 'lira-online-fixed'
  | 'lira-offline'
  | 'lira-offline-fixed'
  | 'rmia-online'
  | 'rmia-offline'
  | 'loss'
  | 'confidence'
  | 'entropy'
  | 'modified-entropy'
  | 'phi-threshold';

/** Every attack, with the signal it needs and a one-line description. */
export const ATTACKS: Readonly<Record<AttackName, { signal: SignalName; doc: string }>> = {
  /** LiRA online, per-example variance: log N(phi; IN) - log N(phi; OUT). */
  'lira-online': { signal: 'phi', doc: 'LiRA online, per-example IN/OUT Gaussians on phi' },
  /** LiRA online with one global variance (better with few reference models). */
  'lira-online-fixed': { signal: 'phi', doc: 'LiRA online, global (fixed) variance' },
  /** LiRA offline, per-example OUT Gaussian (one-sided by default). */
  'lira-offline': { signal: 'phi', doc: 'LiRA offline, per-example OUT Gaussian' },
  /** LiRA offline with one global variance. */
  'lira-offline-fixed': { signal: 'phi', doc: 'LiRA offline, global (fixed) variance' },
  /** RMIA online: Pr(x) from all references, pairwise likelihood ratios against the population z. */
  'rmia-online': { signal: 'pY', doc: 'RMIA online, Pr(x) = mean over all references' },
  /** RMIA offline: Pr(x) = ((1+a)/2) mean_OUT(x) + (1-a)/2. */
  'rmia-offline': { signal: 'pY', doc: 'RMIA offline, Pr(x) from OUT references and a' },
  /** Loss threshold attack (-CE), per-class thresholds from the references. */
  loss: { signal: 'negLoss', doc: 'threshold attack on -loss' },
  /** Confidence threshold attack (p_y), per-class thresholds. */
  confidence: { signal: 'confidence', doc: 'threshold attack on the true-class confidence' },
  /** Entropy threshold attack (-H(p)), per-class thresholds. */
  entropy: { signal: 'negEntropy', doc: 'threshold attack on -entropy' },
  /** Modified-entropy threshold attack (-M), per-class thresholds. */
  'modified-entropy': { signal: 'negModEntropy', doc: 'threshold attack on -modified entropy' },
  /** Threshold attack on LiRA's logit-scaled confidence phi (mean over queries), per-class thresholds. */
  'phi-threshold': { signal: 'phi', doc: 'threshold attack on the logit-scaled confidence' },
};

/** All attack names, in report order. */
export const ATTACK_NAMES = Object.keys(ATTACKS) as AttackName[];

const THRESHOLD_ATTACKS = new Set<AttackName>(['loss', 'confidence', 'entropy', 'modified-entropy', 'phi-threshold']);

export interface RunAttacksInput {
  /** Signal matrices [models x n] row-major (phi may be [models x n x queries], see lira.queries). */
  signals: Partial<Record<SignalName, Float64Array>>;
  /** [models x n], 1 = example in that model's training set. */
  inclusion: Uint8Array;
  /** True label per example (length n, which fixes n; models = inclusion.length / n). */
  labels: Int32Array;
  classes: number;
  /** Row of the attacked model. */
  target: number;
  /** Reference rows; default all rows except the target. */
  refs?: readonly number[];
  /** Attacks to run; default every attack whose signal is present. An explicit attack without its signal is an error. */
  attacks?: readonly AttackName[];
  /** LiRA options (mode and variance come from the attack name). */
  lira?: Pick<LiraOptions, 'offlineTest' | 'fixedSigma' | 'queries' | 'equalizeCounts' | 'allowMissing'>;
  /** RMIA options (mode comes from the attack name). */
  rmia?: Omit<RmiaOptions, 'mode' | 'a'> & {
    /**
     * Offline a: a number (default 0.3), or 'tune' to pick it with tuneA on `pairedTarget` using
     * `pairedRef` (default: the first reference that is neither the target nor the paired model).
     */
    a?: number | 'tune';
    pairedTarget?: number;
    pairedRef?: number | readonly number[];
  };
}

export interface AttackResult {
  name: AttackName;
  /** One score per example (higher = member); NaN only for examples skipped under allowMissing. */
  scores: Float64Array;
  /** Threshold-free metrics of `scores` on the target (over the non-NaN scores). */
  metrics: Summary;
  /** Examples that entered `metrics` (n unless allowMissing left some out). */
  evaluated: number;
  /** Threshold attacks: the per-class-threshold decisions and their accuracy, TPR, FPR. */
  threshold?: Omit<ThresholdResult, 'metrics'>;
  /** RMIA offline: the a used, and the tuning AUCs when tuned. */
  rmia?: { a: number; tuned: boolean; tuneAucs?: Float64Array };
}

function summarizeDefined(scores: Float64Array, member: Uint8Array): { metrics: Summary; evaluated: number } {
  let nan = 0;
  for (let i = 0; i < scores.length; i++) if (Number.isNaN(scores[i])) nan++;
  if (nan === 0) return { metrics: summarize(scores, member), evaluated: scores.length };
  const keep: number[] = [];
  for (let i = 0; i < scores.length; i++) if (!Number.isNaN(scores[i])) keep.push(i);
  return {
    metrics: summarize(
      Float64Array.from(keep, (i) => scores[i]),
      Uint8Array.from(keep, (i) => member[i]),
    ),
    evaluated: keep.length,
  };
}

/**
 * Runs the requested attacks against `input.target` and returns, per attack, its scores and metrics
 * (AUC, balanced accuracy, TPR at 0.1% / 1% FPR). Threshold attacks also report the decisions of
 * per-class thresholds chosen on the references. Pure function of the signal and inclusion matrices.
 */
export function runAttacks(input: RunAttacksInput): AttackResult[] {
  const { signals, inclusion, labels, classes, target, refs } = input;
  const n = labels.length;
  check(n > 0, 'no examples: labels is empty');
  const models = inclusion.length / n;
  check(
    Number.isInteger(models) && models >= 2,
    () => `inclusion has ${inclusion.length} entries, not a multiple (>= 2) of the ${n} examples`,
  );
  const data: AttackData = { inclusion, models, n, target, refs };
  const queries = input.lira?.queries ?? 1;
  const wanted = input.attacks ?? ATTACK_NAMES.filter((a) => signals[ATTACKS[a].signal] !== undefined);
  check(wanted.length > 0, 'no attack to run: no signal matrix given');
  const member = inclusion.slice(target * n, (target + 1) * n);
  const results: AttackResult[] = [];
  for (const name of wanted) {
    const spec = ATTACKS[name];
    if (spec === undefined)
      throw new InputError(`unknown attack '${name}'; expected one of ${ATTACK_NAMES.join(', ')}`);
    const sig = signals[spec.signal];
    if (sig === undefined) throw new InputError(`attack '${name}' needs the '${spec.signal}' signal matrix`);
    if (name.startsWith('lira-')) {
      const scores = liraScores(sig, data, {
        ...input.lira,
        mode: name.startsWith('lira-online') ? 'online' : 'offline',
        variance: name.endsWith('-fixed') ? 'fixed' : 'per-example',
      });
      results.push({ name, scores, ...summarizeDefined(scores, member) });
    } else if (name.startsWith('rmia-')) {
      const { a: aOpt, pairedTarget, pairedRef, ...rest } = input.rmia ?? {};
      const offline = name === 'rmia-offline';
      let a = typeof aOpt === 'number' ? aOpt : 0.3;
      let tuneAucs: Float64Array | undefined;
      if (offline && aOpt === 'tune') {
        check(
          pairedTarget !== undefined,
          "rmia.a = 'tune' needs rmia.pairedTarget (the model trained on the other half)",
        );
        check(pairedTarget !== target, 'rmia.pairedTarget must differ from the target');
        let pr = pairedRef;
        if (pr === undefined) {
          const pool = refs ?? Array.from({ length: models }, (_, m) => m);
          const first = pool.find((m) => m !== target && m !== pairedTarget);
          check(first !== undefined, 'no reference model left to tune RMIA a with');
          pr = first;
        }
        const prs = typeof pr === 'number' ? [pr] : pr;
        check(!prs.includes(target), 'rmia.pairedRef must not include the target');
        const t = tuneA(sig, data, pairedTarget, pr, rest);
        a = t.a;
        tuneAucs = t.aucs;
      }
      const scores = rmiaScores(sig, data, { ...rest, mode: offline ? 'offline' : 'online', a });
      const res: AttackResult = { name, scores, ...summarizeDefined(scores, member) };
      if (offline) res.rmia = { a, tuned: tuneAucs !== undefined, tuneAucs };
      results.push(res);
    } else if (THRESHOLD_ATTACKS.has(name)) {
      let s = sig;
      if (name === 'phi-threshold' && queries > 1) {
        check(
          sig.length === models * n * queries,
          () => `phi has ${sig.length} values; expected ${models * n * queries}`,
        );
        s = new Float64Array(models * n);
        for (let k = 0; k < models * n; k++) {
          let acc = 0;
          for (let q = 0; q < queries; q++) acc += sig[k * queries + q];
          s[k] = acc / queries;
        }
      }
      const { metrics, ...threshold } = thresholdAttack(s, { ...data, labels, classes });
      results.push({ name, scores: s.slice(target * n, (target + 1) * n), metrics, evaluated: n, threshold });
    }
  }
  return results;
}
