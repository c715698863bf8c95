// Fine-tune every weight (no rewind): the baseline that separates CWRF's rewind from its fine-tune.
import { applyCwrf, STAGE_OPTIONS, type CwrfStage } from '../cwrf.ts';
import type { MethodEntry } from './types.ts';
import { EPOCHS_TUNABLE, LR_FACTOR_TUNABLE } from './tunables.ts';

export const finetuneAllMethod: MethodEntry = {
  name: 'finetune-all',
  description: 'fine-tune all weights with the objective, nothing rewound',
  options: { epochs: STAGE_OPTIONS.epochs, lr: STAGE_OPTIONS.lr },
  tunables: [EPOCHS_TUNABLE, LR_FACTOR_TUNABLE],
  usesObjective: true,
  stage: {
    fix: (s) => Object.assign(s, { ratio: 0, scope: 'all' }),
    apply: (s, ctx) => applyCwrf(s as unknown as CwrfStage, ctx),
  },
};
