// Fine-tune every weight (no rewind): the baseline that separates CWRF's rewind from its fine-tune.
import { STAGE_OPTIONS, type CwrfStage } from '../cwrf/cwrf.ts';
import { weightStage } from '../cwrf/stage.ts';
import type { MethodEntry } from '../methods/types.ts';
import { EPOCHS_TUNABLE, LR_FACTOR_TUNABLE } from '../cwrf/tunables.ts';

export const finetuneAllMethod: MethodEntry<CwrfStage> = {
  name: 'finetune-all',
  description: 'fine-tune all weights with the objective, nothing rewound',
  options: { epochs: STAGE_OPTIONS.epochs, lr: STAGE_OPTIONS.lr },
  tunables: [EPOCHS_TUNABLE, LR_FACTOR_TUNABLE],
  usesObjective: true,
  stage: weightStage(
    () => finetuneAllMethod,
    (s) => Object.assign(s, { ratio: 0, scope: 'all' }),
  ),
};
