// DP-SGD as `cwrf tune` searches it: one more choice of the training objective (cross-entropy under DP-SGD), with
// its target epsilon as the searched parameter (src/util/tunables.ts).
import type { DpSpec } from '../../train/recipe.ts';
import type { ObjectiveSpec } from '../../train/objectives/types.ts';
import type { Tunable } from '../../util/tunables.ts';

/** A way of training a search may choose beside the registered objectives: its name, parameters and the spec it trains with. */
export interface TrainingTuning {
  name: string;
  description: string;
  tunables: Tunable[];
  /** The objective and DP settings of one point of its space. */
  spec(values: Record<string, number | string>): { objective: ObjectiveSpec; dp?: DpSpec };
}

/** The DP-SGD settings a tuned run trains with besides its target epsilon (the CLI's defaults). */
export const DP_TUNING_DEFAULTS = { maxGradNorm: 1, delta: 1e-5 } as const;

/** DP-SGD: cross-entropy under DP-SGD (clip 1, delta 1e-5), noise calibrated to the target epsilon over the epochs. */
export const DPSGD_TUNING: TrainingTuning = {
  name: 'dpsgd',
  description: 'cross-entropy under DP-SGD (clip 1, delta 1e-5), noise for the target epsilon',
  tunables: [{ name: 'target-epsilon', key: 'targetEpsilon', kind: 'number', min: 0.01, max: 1000, scale: 'log', grid: [1, 4, 8], description: 'DP-SGD epsilon to reach over the epochs' }],
  spec: (v) => ({ objective: { name: 'ce' }, dp: { ...DP_TUNING_DEFAULTS, targetEpsilon: Number(v['target-epsilon'] ?? 8) } }),
};
