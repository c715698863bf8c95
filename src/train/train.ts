// Trains one model from a recipe on a given member half of the population.
import { Generator } from '../engine/index.ts';
import { buildModel, type Module, type StateEntry } from '../nn/index.ts';
import { makeOptimizer } from '../optim/index.ts';
import { memberRows, type DataContext } from './data.ts';
import { fit, type EpochStats, type FitOptions } from './loop.ts';
import { checkpointedFit, type CheckpointSpec, type RandomStreams } from './checkpoint.ts';
import { makeObjective } from './objectives/index.ts';
import { augmentHooks } from './augment-hook.ts';
import type { Recipe } from './recipe.ts';

export interface TrainedModel {
  model: Module;
  /** The initial weights (needed to rewind). */
  init: Record<string, StateEntry>;
  history: EpochStats[];
}

/**
 * Hooks a defense may supply to wrap the ordinary loop (e.g. DP-SGD's gradient step and sampling), with the
 * random streams they draw from (so a checkpoint can save them).
 */
export type LoopHooks = Partial<Pick<FitOptions, 'gradientStep' | 'batches' | 'onEpoch' | 'epochExtras'>> & { streams?: RandomStreams };

/**
 * Builds the recipe's model with its seed and trains it on the population rows where `members` is 1.
 * With `checkpoint`, continues from a matching checkpoint and writes one after epochs; `seconds` counts the
 * training time of earlier, interrupted attempts too.
 */
export function trainModel(
  recipe: Recipe,
  data: DataContext,
  members: Uint8Array,
  hooks: LoopHooks = {},
  checkpoint?: CheckpointSpec,
): TrainedModel & { seconds: number } {
  const aug = augmentHooks(recipe, data.shape);
  const gen = new Generator(recipe.seed);
  const model = buildModel(recipe.model, data.shape, data.classes, gen);
  const init = model.stateDict();
  const optimizer = makeOptimizer(recipe.optimizer, model.namedParameters());
  const rows = memberRows(data, members);
  const { streams, ...loop } = hooks;
  const state = { model, init, optimizer, streams: { generators: { shuffle: gen, ...aug.generators, ...streams?.generators }, rngs: { ...streams?.rngs } } };
  try {
    const ck = checkpointedFit(checkpoint, state, recipe.epochs);
    const history = fit(model, data.x, data.y, rows, {
      optimizer,
      schedule: recipe.schedule,
      baseLr: recipe.optimizer.lr,
      epochs: recipe.epochs,
      batchSize: recipe.batchSize,
      objective: makeObjective(recipe.objective),
      gen,
      ...(aug.transform ? { transform: aug.transform } : {}),
      ...loop,
      ...ck.options,
    });
    return { model, init, history, seconds: ck.seconds() };
  } finally {
    rows.dispose();
    optimizer.dispose();
  }
}
