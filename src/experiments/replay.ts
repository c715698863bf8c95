// Replays a recipe end to end: train, then every defense stage. Targets and reference models alike.
import { applyDefense, dpHooks } from '../defenses/index.ts';
import type { DataContext, EpochStats, Recipe, TrainedModel } from '../train/index.ts';
import { trainModel } from '../train/index.ts';

export interface StageLog {
  method: string;
  seconds: number;
  history: EpochStats[];
  info: Record<string, unknown>;
}

export interface Replayed extends TrainedModel {
  trainSeconds: number;
  stages: StageLog[];
}

/** Trains the recipe's model on `members` (a 0/1 mask over the population), then applies its defenses. */
export function replay(
  recipe: Recipe,
  data: DataContext,
  members: Uint8Array,
  onEpoch?: (stage: string, s: EpochStats) => void,
): Replayed {
  const t0 = performance.now();
  const dp = recipe.dp ? dpHooks(recipe, recipe.dp, data, members) : {};
  const trained = trainModel(recipe, data, members, {
    ...dp,
    onEpoch: onEpoch && ((s) => onEpoch('train', s)),
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const stages: StageLog[] = [];
  for (const stage of recipe.defenses) {
    const s0 = performance.now();
    const r = applyDefense(stage, { recipe, data, members, trained, onEpoch: onEpoch && ((s) => onEpoch(stage.method, s)) });
    stages.push({ method: stage.method, seconds: (performance.now() - s0) / 1000, history: r.history, info: r.info });
  }
  return { ...trained, trainSeconds, stages };
}
