// `defend`: a new run = an existing run's recipe plus a defense. Weight-level stages start from the
// run's trained weights; 'retrain' trains from scratch with another objective.
import { loadData, removeCheckpoint, type DefenseStage, type EpochStats, type ObjectiveSpec, type Recipe } from '../train/index.ts';
import { applyDefense, releaseFor } from '../defenses/index.ts';
import { loadState } from '../nn/index.ts';
import { join } from 'node:path';
import { checkpointDirFor, evaluate, inputReshape, loadRunModel, train, writeRun, type Run, type RunJson } from './run.ts';
import { replayCheckpoint } from './replay.ts';
import { versions } from './versions.ts';
import { getThreads } from '../engine/index.ts';
import type { LoadOptions } from '../data/index.ts';

export interface DefendOptions extends LoadOptions {
  out: string;
  onEpoch?: (stage: string, s: EpochStats) => void;
}

/** Retrains from scratch with another objective (and DP settings); the baseline of every defense. */
export function retrainRecipe(recipe: Recipe, objective: ObjectiveSpec, dp?: Recipe['dp']): Recipe {
  return { ...recipe, objective, dp, defenses: [], release: releaseFor(objective) };
}

/**
 * The recipe of a run defended by `stage`: a fine-tune with HAMP's objective releases through HAMP's output
 * modification (the run's own release is kept otherwise).
 */
export function defendedRecipe(recipe: Recipe, stage: DefenseStage): Recipe {
  const objective = (stage as { objective?: { name: string } }).objective;
  const release = recipe.release ?? (objective && (stage as { epochs?: number }).epochs !== 0 ? releaseFor(objective) : undefined);
  return { ...recipe, defenses: [...recipe.defenses, stage], ...(release ? { release } : {}) };
}

/** Applies `stage` to the run's trained model and writes the defended run to `out`. */
export async function defend(run: Run, action: { stage: DefenseStage } | { retrain: Recipe }, o: DefendOptions): Promise<Run> {
  if ('retrain' in action) return train(action.retrain, o);
  const { stage } = action;
  const recipe = defendedRecipe(run.recipe, stage);
  const data = await loadData(recipe, o);
  const model = await loadRunModel(run, data);
  const init = await loadState(join(run.dir, 'init.safetensors'));
  const ckpt = checkpointDirFor(o.out);
  try {
    const t0 = performance.now();
    const r = applyDefense(stage, {
      recipe: run.recipe,
      data,
      members: run.members,
      trained: { model, init, history: run.metrics.history },
      onEpoch: o.onEpoch && ((s) => o.onEpoch!(stage.method, s)),
      checkpoint: replayCheckpoint(ckpt, recipe, recipe.defenses.length, run.members),
    });
    const seconds = (performance.now() - t0) / 1000;
    const { trainAccuracy, testAccuracy } = evaluate(model, data, run.members, recipe);
    const json: RunJson = {
      format: 'cwrf-run/1',
      created: new Date().toISOString(),
      recipe,
      parent: run.dir,
      ...(run.dataDir ? { dataDir: run.dataDir } : {}),
      ...inputReshape(model, data),
      metrics: {
        ...run.metrics,
        trainAccuracy,
        testAccuracy,
        stages: [...run.metrics.stages, { method: stage.method, seconds, history: r.history, info: r.info }],
      },
      threads: getThreads(),
      versions: versions(),
    };
    await writeRun(o.out, json, init, model.stateDict(), data, run.members);
    removeCheckpoint(ckpt);
    return { ...json, dir: o.out, members: run.members };
  } finally {
    model.dispose();
  }
}
