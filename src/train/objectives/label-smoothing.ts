// Label smoothing (Szegedy et al. 2016): cross-entropy against (1 - s) one-hot + s / K.
import { crossEntropy } from '../../engine/index.ts';
import { checkNumber } from '../../util/check.ts';
import type { ObjectiveEntry } from './types.ts';

export const labelSmoothingObjective: ObjectiveEntry = {
  name: 'label-smoothing',
  description: 'cross-entropy with smoothed labels',
  options: { smoothing: { type: 'number', min: 0, max: 1, default: 0.1, description: 'label smoothing factor' } },
  tunables: [{ name: 'smoothing', key: 'smoothing', kind: 'number', min: 0, max: 1, scale: 'lin', grid: [0.05, 0.1, 0.2], description: 'label smoothing factor' }],
  validate: (s) => checkNumber(s.smoothing, 'label smoothing', { min: 0, max: 1 }),
  make: (s) => (logits, y) => crossEntropy(logits, y, { labelSmoothing: s.smoothing as number }),
  perExample: (s) => ({ labelSmoothing: s.smoothing as number }),
};
