// What a training objective registers: its name, options (flags), defaults and loss.
import type { Tensor } from '../../engine/index.ts';
import type { Entry, OptionTable } from '../../util/options.ts';
import type { Tunable } from '../../util/tunables.ts';

/** An objective as stored in a recipe: its name and its options. */
export interface ObjectiveSpec {
  name: string;
  [option: string]: unknown;
}

/** Turns a batch's logits and int64 labels into the scalar loss to minimise. */
export type Objective = (logits: Tensor, y: Tensor, epoch: number) => Tensor;

/** A training objective of the registry (src/train/objectives/index.ts). */
export interface ObjectiveEntry extends Entry {
  /** Options stored in the spec (flag name -> spec field `key`). */
  options: OptionTable;
  /** What `cwrf tune` searches of the objective (spec fields; none: the objective at its defaults). */
  tunables: Tunable[];
  /** Defaults of the options that depend on the dataset (over each option's own default). */
  defaults?(dataset: string): Record<string, unknown>;
  /** Checks a spec's options (InputError naming the bad one). */
  validate?(spec: ObjectiveSpec): void;
  make(spec: ObjectiveSpec): Objective;
  /** The per-example loss DP-SGD clips, where the objective is one (absent: not usable under DP-SGD). */
  perExample?(spec: ObjectiveSpec): { labelSmoothing: number };
}
