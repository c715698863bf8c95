// Pruning: the critical weights set to zero, no fine-tune (TFO scores by default).
import { PVE_OPTIONS } from '../cwrf/scores/index.ts';
import { STAGE_OPTIONS, type CwrfStage } from '../cwrf/cwrf.ts';
import { weightStage } from '../cwrf/stage.ts';
import type { MethodEntry } from '../methods/types.ts';
import { ratioTunable } from '../cwrf/tunables.ts';

export const pruneMethod: MethodEntry<CwrfStage> = {
  name: 'prune',
  description: 'set the top --ratio weights (TFO by default) to zero, no fine-tune',
  options: {
    score: { ...STAGE_OPTIONS.score, default: 'tfo' },
    ratio: STAGE_OPTIONS.ratio,
    rank: STAGE_OPTIONS.rank,
    params: STAGE_OPTIONS.params,
    ...PVE_OPTIONS,
  },
  tunables: [ratioTunable([0.001, 0.01])],
  usesObjective: false,
  stage: weightStage(
    () => pruneMethod,
    (s, given) => Object.assign(s, { score: given.score ?? 'tfo', rewind: 'zero', epochs: 0 }),
  ),
};
