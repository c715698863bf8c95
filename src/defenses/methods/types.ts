// What a defense method registers: its name, the flags it reads, and how it is applied.
import type { DefenseStage, DpSpec, EpochStats, ObjectiveSpec, Recipe } from '../../train/index.ts';
import type { Entry, OptionTable } from '../../util/options.ts';
import type { CwrfStage, StageContext } from '../cwrf/cwrf.ts';

export interface StageResult {
  history: EpochStats[];
  info: Record<string, unknown>;
}

/** A defense method of the registry (src/defenses/methods/index.ts). */
export interface MethodEntry extends Entry {
  /** Flags the method reads (besides the fine-tuning objective's). */
  options: OptionTable;
  /** Whether the method fine-tunes with an objective (--objective and DP flags apply). */
  usesObjective: boolean;
  /**
   * A stage method: its fixed choices over the user's options (`given`), then how it is applied to the
   * trained weights. Stages are recorded in recipe.defenses and replayed by every reference model.
   */
  stage?: {
    fix?(s: CwrfStage, given: Partial<CwrfStage>): void;
    apply(stage: DefenseStage, ctx: StageContext): StageResult;
  };
  /** A retraining method: the recipe trained from scratch instead. */
  retrain?(recipe: Recipe, objective: ObjectiveSpec, dp?: DpSpec): Recipe;
}
