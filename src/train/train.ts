// Trains one model from a recipe on a given member half of the population.
import { Generator } from '../engine/index.ts';
import { buildModel, type Module, type StateEntry } from '../nn/index.ts';
import { makeOptimizer } from '../optim/index.ts';
import { memberRows, type DataContext } from './data.ts';
import { fit, type EpochStats, type FitOptions } from './loop.ts';
import { restoreCheckpoint, writeCheckpoint, type CheckpointSpec, type RandomStreams } from './checkpoint.ts';
import { makeObjective } from './objectives.ts';
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
  const t0 = performance.now();
  const gen = new Generator(recipe.seed);
  const model = buildModel(recipe.model, data.shape, data.classes, gen);
  const init = model.stateDict();
  const optimizer = makeOptimizer(recipe.optimizer, model.namedParameters());
  const rows = memberRows(data, members);
  const { streams, ...loop } = hooks;
  const state = { model, init, optimizer, streams: { generators: { shuffle: gen, ...streams?.generators }, rngs: { ...streams?.rngs } } };
  try {
    const resumed = checkpoint ? restoreCheckpoint(checkpoint, state) : null;
    const before = resumed?.seconds ?? 0;
    let saved = performance.now();
    const history = fit(model, data.x, data.y, rows, {
      optimizer,
      schedule: recipe.schedule,
      baseLr: recipe.optimizer.lr,
      epochs: recipe.epochs,
      batchSize: recipe.batchSize,
      objective: makeObjective(recipe.objective),
      gen,
      ...loop,
      ...(resumed ? { start: { epoch: resumed.history.length, history: resumed.history } } : {}),
      ...(checkpoint
        ? {
            afterEpoch: (h: EpochStats[]) => {
              const now = performance.now();
              if (h.length >= recipe.epochs || (now - saved) / 1000 < checkpoint.everySeconds) return;
              writeCheckpoint(checkpoint, state, h, before + (now - t0) / 1000);
              saved = now;
            },
          }
        : {}),
    });
    return { model, init, history, seconds: before + (performance.now() - t0) / 1000 };
  } finally {
    rows.dispose();
    optimizer.dispose();
  }
}
