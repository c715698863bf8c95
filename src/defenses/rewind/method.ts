// Rewind only: CWRF's rewind of the critical weights without the fine-tune.
import { PVE_OPTIONS } from '../cwrf/scores/index.ts';
import { STAGE_OPTIONS, type CwrfStage } from '../cwrf/cwrf.ts';
import { weightStage } from '../cwrf/stage.ts';
import type { MethodEntry } from '../methods/types.ts';
import { ratioTunable } from '../cwrf/tunables.ts';

export const rewindMethod: MethodEntry<CwrfStage> = {
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
  stage: weightStage(
    () => rewindMethod,
    (s) => Object.assign(s, { epochs: 0 }),
  ),
};
