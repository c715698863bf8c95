// What a defense method registers: its name, the flags it reads, and how its stage is parsed, checked and applied.
import type { CheckpointSpec, DataContext, DefenseStage, DpSpec, EpochStats, ObjectiveSpec, Recipe, TrainedModel } from '../../train/index.ts';
import type { Entry, OptionTable, RawValues } from '../../util/options.ts';
import type { Tunable } from '../../util/tunables.ts';

export interface StageResult {
  history: EpochStats[];
  info: Record<string, unknown>;
}

/** What a stage is applied to: the run's recipe, data and member half, and its trained model (changed in place). */
export interface StageContext {
  recipe: Recipe;
  data: DataContext;
  members: Uint8Array;
  trained: TrainedModel;
  onEpoch?: (s: EpochStats) => void;
  /** Checkpoint of the fine-tune (resumed when it matches). */
  checkpoint?: CheckpointSpec;
}

/** The fine-tuning objective (and DP-SGD settings) a stage gets from the command line's objective flags. */
export interface FineTune {
  objective: ObjectiveSpec;
  dp?: DpSpec;
}

/**
 * A weight-level stage over its own type `S`: recorded in recipe.defenses (S is a DefenseStage as it is) and
 * replayed by every reference model.
 */
export interface StageMethod<S extends DefenseStage> {
  /** The stage of the command line's flags (`values`, as given; absent ones take their defaults) on `recipe`. */
  parse(values: RawValues, recipe: Recipe, fine: FineTune): S;
  /** Checks a recorded stage (every field, every range) and returns it as the method's own type; InputError naming the bad field. */
  validate(stage: DefenseStage): S;
  /** Applies the stage to ctx.trained.model (in place). */
  apply(stage: S, ctx: StageContext): StageResult;
}

/** A defense method of the registry (src/defenses/methods/index.ts). */
export interface MethodEntry<S extends DefenseStage = DefenseStage> extends Entry {
  /** Flags the method reads (besides the fine-tuning objective's). */
  options: OptionTable;
  /** What `cwrf tune` searches of the method (its stage fields; none: the method at its defaults). */
  tunables: Tunable[];
  /** Whether the method fine-tunes with an objective (--objective and DP flags apply). */
  usesObjective: boolean;
  /** A stage method: how its stage is parsed, checked and applied to the trained weights. */
  stage?: StageMethod<S>;
  /** A retraining method: the recipe trained from scratch instead. */
  retrain?(recipe: Recipe, objective: ObjectiveSpec, dp?: DpSpec): Recipe;
}
