// Retrain from scratch with another objective (and DP settings): the baseline of every defense.
import { releaseFor } from '../release.ts';
import type { MethodEntry } from '../methods/types.ts';

export const retrainMethod: MethodEntry = {
  name: 'retrain',
  description: 'train the recipe again from scratch with --objective (and DP-SGD flags); HAMP releases through its output modification',
  options: {},
  tunables: [],
  usesObjective: true,
  retrain: (recipe, objective, dp) => ({ ...recipe, objective, dp, defenses: [], release: releaseFor(objective) }),
};
