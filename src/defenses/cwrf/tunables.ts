// The searchable parameters the stage methods share (`cwrf tune`; src/util/tunables.ts).
import type { Tunable } from '../../util/tunables.ts';

/** The fraction of weights ranked critical, with the given grid points. */
export const ratioTunable = (grid: number[]): Tunable => ({
  name: 'ratio',
  key: 'ratio',
  kind: 'number',
  min: 0,
  max: 1,
  scale: 'log',
  grid,
  description: 'fraction of weights ranked critical (rewound, or zeroed by prune)',
});

/** Fine-tune epochs. */
export const EPOCHS_TUNABLE: Tunable = { name: 'epochs', key: 'epochs', kind: 'int', min: 1, max: 1000, scale: 'lin', grid: [2, 5, 10], description: 'fine-tune epochs' };

/** Fine-tune learning rate, as a multiple of the recipe's (1: the recipe's rate, 0.1: a tenth of it). */
export const LR_FACTOR_TUNABLE: Tunable = {
  name: 'lr-factor',
  key: 'lr',
  kind: 'number',
  min: 0,
  max: 10,
  relative: 'recipe-lr',
  scale: 'log',
  grid: [1, 0.1],
  description: "fine-tune learning rate as a multiple of the recipe's",
};
