// CWRF (Fang & Kim, ICLR 2026): rewind the critical weights to init, freeze them, fine-tune the rest.
import { PVE_OPTIONS } from './scores/index.ts';
import { applyCwrf, STAGE_OPTIONS, type CwrfStage } from './cwrf.ts';
import type { MethodEntry } from '../methods/types.ts';

export const cwrfMethod: MethodEntry = {
  name: 'cwrf',
  description: 'score weights, rewind the critical ones to init and freeze them, fine-tune the rest',
  options: { ...STAGE_OPTIONS, ...PVE_OPTIONS },
  usesObjective: true,
  stage: { apply: (s, ctx) => applyCwrf(s as unknown as CwrfStage, ctx) },
};
