// Cross-entropy: the undefended baseline.
import { crossEntropy } from '../../engine/index.ts';
import type { ObjectiveEntry } from './types.ts';

export const ceObjective: ObjectiveEntry = {
  name: 'ce',
  description: 'cross-entropy',
  options: {},
  tunables: [],
  make: () => (logits, y) => crossEntropy(logits, y),
  perExample: () => ({ labelSmoothing: 0 }),
};
