// What an attack registers: its name, the signal matrix it reads, and how it scores the target.
import type { Entry } from '../../util/options.ts';
import type { AttackData } from '../common.ts';
import type { LiraOptions } from '../lira.ts';
import { type Summary, summarize } from '../metrics.ts';
import type { RmiaOptions } from '../rmia.ts';
import type { SignalName } from '../signals.ts';
import type { ThresholdResult } from '../threshold.ts';

/** An attack's registered name (src/attacks/registry/index.ts). */
export type AttackName = string;

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

export function summarizeDefined(scores: Float64Array, member: Uint8Array): { metrics: Summary; evaluated: number } {
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

/** What an attack sees: the input, its signal matrix, the design and the target's membership. */
export interface AttackContext {
  input: RunAttacksInput;
  sig: Float64Array;
  data: AttackData;
  member: Uint8Array;
  models: number;
  n: number;
  queries: number;
}

/** An attack of the registry. */
export interface AttackEntry extends Entry {
  /** The signal matrix it reads. */
  signal: SignalName;
  run(ctx: AttackContext): Omit<AttackResult, 'name'>;
}
