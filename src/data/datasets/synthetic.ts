// The seeded synthetic tabular dataset at its default parameters (`synthetic:...` sets them).
import { SYNTHETIC_DEFAULTS, syntheticDataset } from '../synthetic.ts';
import type { DatasetEntry } from './types.ts';

export const syntheticEntry: DatasetEntry = {
  kind: 'tabular',
  info: {
    name: 'synthetic',
    description:
      'seeded synthetic tabular data (generated, same bytes everywhere); parameters: synthetic:n=...,features=...,classes=...,noise=...,seed=...',
    examples: SYNTHETIC_DEFAULTS.n.toLocaleString('en-US'),
    classes: SYNTHETIC_DEFAULTS.classes,
    features: `${SYNTHETIC_DEFAULTS.features} binary`,
  },
  candidates: [],
  subdirs: [],
  load: () => syntheticDataset(SYNTHETIC_DEFAULTS),
};
