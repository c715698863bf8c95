// Pruning: the critical weights set to zero, no fine-tune (TFO scores by default).
import { PVE_OPTIONS } from '../cwrf/scores/index.ts';
import { applyCwrf, STAGE_OPTIONS, type CwrfStage } from '../cwrf/cwrf.ts';
import type { MethodEntry } from '../methods/types.ts';

export const pruneMethod: MethodEntry = {
  name: 'prune',
  description: 'set the top --ratio weights (TFO by default) to zero, no fine-tune',
  options: {
    score: { ...STAGE_OPTIONS.score, default: 'tfo' },
    ratio: STAGE_OPTIONS.ratio,
    rank: STAGE_OPTIONS.rank,
    params: STAGE_OPTIONS.params,
    ...PVE_OPTIONS,
  },
  usesObjective: false,
  stage: {
    fix: (s, given) => Object.assign(s, { score: given.score ?? 'tfo', rewind: 'zero', epochs: 0 }),
    apply: (s, ctx) => applyCwrf(s as unknown as CwrfStage, ctx),
  },
};
