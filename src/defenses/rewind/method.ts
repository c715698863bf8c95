// Rewind only: CWRF's rewind of the critical weights without the fine-tune.
import { PVE_OPTIONS } from '../cwrf/scores/index.ts';
import { applyCwrf, STAGE_OPTIONS, type CwrfStage } from '../cwrf/cwrf.ts';
import type { MethodEntry } from '../methods/types.ts';

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
  usesObjective: false,
  stage: {
    fix: (s) => Object.assign(s, { epochs: 0 }),
    apply: (s, ctx) => applyCwrf(s as unknown as CwrfStage, ctx),
  },
};
