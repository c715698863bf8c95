// CWRF (Fang & Kim, ICLR 2026): rewind the critical weights to init, freeze them, fine-tune the rest.
import { PVE_OPTIONS } from './scores/index.ts';
import { STAGE_OPTIONS, type CwrfStage } from './cwrf.ts';
import { weightStage } from './stage.ts';
import type { MethodEntry } from '../methods/types.ts';
import { EPOCHS_TUNABLE, LR_FACTOR_TUNABLE, ratioTunable } from './tunables.ts';

export const cwrfMethod: MethodEntry<CwrfStage> = {
  name: 'cwrf',
  description: 'score weights, rewind the critical ones to init and freeze them, fine-tune the rest',
  options: { ...STAGE_OPTIONS, ...PVE_OPTIONS },
  tunables: [ratioTunable([0.001, 0.01, 0.03]), EPOCHS_TUNABLE, LR_FACTOR_TUNABLE],
  usesObjective: true,
  stage: weightStage(() => cwrfMethod),
};
