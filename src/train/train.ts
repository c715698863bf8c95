// Trains one model from a recipe on a given member half of the population.
import { Generator } from '../engine/index.ts';
import { buildModel, type Module, type StateEntry } from '../nn/index.ts';
import { makeOptimizer } from '../optim/index.ts';
import { memberRows, type DataContext } from './data.ts';
import { fit, type EpochStats, type FitOptions } from './loop.ts';
import { makeObjective } from './objectives.ts';
import type { Recipe } from './recipe.ts';

export interface TrainedModel {
  model: Module;
  /** The initial weights (needed to rewind). */
  init: Record<string, StateEntry>;
  history: EpochStats[];
}

/** Hooks a defense may supply to wrap the ordinary loop (e.g. DP-SGD's gradient step and sampling). */
export type LoopHooks = Partial<Pick<FitOptions, 'gradientStep' | 'batches' | 'onEpoch' | 'epochExtras'>>;

/** Builds the recipe's model with its seed and trains it on the population rows where `members` is 1. */
export function trainModel(recipe: Recipe, data: DataContext, members: Uint8Array, hooks: LoopHooks = {}): TrainedModel {
  const gen = new Generator(recipe.seed);
  const model = buildModel(recipe.model, data.shape, data.classes, gen);
  const init = model.stateDict();
  const optimizer = makeOptimizer(recipe.optimizer, model.namedParameters());
  const rows = memberRows(data, members);
  try {
    const history = fit(model, data.x, data.y, rows, {
      optimizer,
      schedule: recipe.schedule,
      baseLr: recipe.optimizer.lr,
      epochs: recipe.epochs,
      batchSize: recipe.batchSize,
      objective: makeObjective(recipe.objective),
      gen,
      ...hooks,
    });
    return { model, init, history };
  } finally {
    rows.dispose();
    optimizer.dispose();
  }
}
