// CWRF (Fang & Kim, ICLR 2026): rewind the critical weights to init, freeze them, fine-tune the rest.
import { PVE_OPTIONS } from './scores/index.ts';
import { STAGE_OPTIONS, type CwrfStage } from './cwrf.ts';
import { weightStage } from './stage.ts';
import type { MethodEntry } from '../methods/types.ts';

export const cwrfMethod: MethodEntry<CwrfStage> = {
  name: 'cwrf',
  description: 'score weights, rewind the critical ones to init and freeze them, fine-tune the rest',
  options: { ...STAGE_OPTIONS, ...PVE_OPTIONS },
  usesObjective: true,
  stage: weightStage(() => cwrfMethod),
};
