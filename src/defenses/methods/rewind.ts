// Rewind only: CWRF's rewind of the critical weights without the fine-tune.
import { PVE_OPTIONS } from '../scores/index.ts';
import { applyCwrf, STAGE_OPTIONS, type CwrfStage } from '../cwrf.ts';
import type { MethodEntry } from './types.ts';
import { ratioTunable } from './tunables.ts';

export const rewindMethod: MethodEntry = {
  name: 'rewind',
  description: 'rewind the critical weights (top --ratio) and stop: no fine-tune',
  options: {
    score: STAGE_OPTIONS.score,
    ratio: STAGE_OPTIONS.ratio,
    rank: STAGE_OPTIONS.rank,
    params: STAGE_OPTIONS.params,
    rewind: STAGE_OPTIONS.rewind,
    ...PVE_OPTIONS,
  },
  tunables: [ratioTunable([0.001, 0.003, 0.01])],
  usesObjective: false,
  stage: {
    fix: (s) => Object.assign(s, { epochs: 0 }),
    apply: (s, ctx) => applyCwrf(s as unknown as CwrfStage, ctx),
  },
};
