// Replays a recipe end to end: train, then every defense stage. Targets and reference models alike.
// With a cache directory, the trained (pre-defense) weights are kept by (recipe, seed, member half), so
// replays of different defenses on the same base model train it once.
import { rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { Generator } from '../engine/index.ts';
import { applyDefense, dpHooks } from '../defenses/index.ts';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.ts';
import { buildModel, type StateEntry } from '../nn/index.ts';
import { removeCheckpoint, trainModel, type CheckpointSpec, type DataContext, type EpochStats, type Recipe, type TrainedModel } from '../train/index.ts';
import { fromStored, toStored, underPrefix } from '../nn/index.ts';
import { InputError } from '../util/errors.ts';
import { readEntry, recipeKey, writeEntry } from './cache.ts';

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

function baseFile(root: string, recipe: Recipe, members: Uint8Array): string {
  return join(root, 'base', `${recipeKey(recipe, members, 0)}.safetensors`);
}

/** Seconds between training checkpoints ($CWRF_CHECKPOINT_SECONDS, default 60). */
function checkpointSeconds(): number {
  const raw = process.env.CWRF_CHECKPOINT_SECONDS;
  const v = Number(raw ?? 60);
  if (raw === '' || !Number.isFinite(v) || v < 0) throw new InputError(`CWRF_CHECKPOINT_SECONDS must be a number of seconds >= 0, got '${raw}'`);
  return v;
}

/** The checkpoint in `dir` of a replay's training (stages = 0) or of the fine-tune of its stage number `stages`. */
export function replayCheckpoint(dir: string, recipe: Recipe, stages: number, members: Uint8Array): CheckpointSpec {
  const key = `${stages ? 'stage' : 'train'}-${recipeKey(recipe, members, stages)}`;
  return { file: join(dir, key), key, everySeconds: checkpointSeconds() };
}

function loadBase(file: string, recipe: Recipe, data: DataContext): Promise<(TrainedModel & { trainSeconds: number }) | null> {
  return readEntry(file, (bytes) => {
    const { tensors, metadata } = decodeSafetensors(bytes, { source: file });
    const state = fromStored(tensors, file);
    const pick = (prefix: string) => underPrefix(state, prefix);
    const model = buildModel(recipe.model, data.shape, data.classes, new Generator(recipe.seed));
    model.loadStateDict(pick('model/'), file);
    return { model, init: pick('init/'), history: JSON.parse(metadata.history) as EpochStats[], trainSeconds: Number(metadata.trainSeconds) };
  });
}

async function saveBase(file: string, t: TrainedModel, trainSeconds: number): Promise<void> {
  const tensors: Record<string, StateEntry> = {};
  for (const [k, v] of Object.entries(t.init)) tensors[`init/${k}`] = v;
  for (const [k, v] of Object.entries(t.model.stateDict())) tensors[`model/${k}`] = v;
  await writeEntry(file, encodeSafetensors(toStored(tensors), { history: JSON.stringify(t.history), trainSeconds: String(trainSeconds) }));
}

/**
 * Trains the recipe's model on `members` (a 0/1 mask over the population), then applies its defenses.
 * Training and each defense's fine-tune checkpoint into `checkpointDir` (default: beside the cache entry) and
 * resume from it; the caller removes a directory it passed once its output is written (the default one is
 * cleaned here).
 */
export async function replay(
  recipe: Recipe,
  data: DataContext,
  members: Uint8Array,
  onEpoch?: (stage: string, s: EpochStats) => void,
  cacheRoot?: string,
  checkpointDir?: string,
): Promise<Replayed> {
  const file = cacheRoot ? baseFile(cacheRoot, recipe, members) : null;
  const dir = checkpointDir ?? (file ? `${file}.checkpoint` : undefined);
  const used: string[] = [];
  let base = file ? await loadBase(file, recipe, data) : null;
  if (!base) {
    const dp = recipe.dp ? dpHooks(recipe, recipe.dp, data, members) : {};
    const ck = dir ? replayCheckpoint(dir, recipe, 0, members) : undefined;
    if (ck) used.push(ck.file);
    const trained = trainModel(recipe, data, members, { ...dp, onEpoch: onEpoch && ((s) => onEpoch('train', s)) }, ck);
    base = { ...trained, trainSeconds: trained.seconds };
    if (file) await saveBase(file, trained, base.trainSeconds);
  }
  const stages: StageLog[] = [];
  for (const [i, stage] of recipe.defenses.entries()) {
    const s0 = performance.now();
    const ck = dir ? replayCheckpoint(dir, recipe, i + 1, members) : undefined;
    if (ck) used.push(ck.file);
    const r = applyDefense(stage, { recipe, data, members, trained: base, checkpoint: ck, onEpoch: onEpoch && ((s) => onEpoch(stage.method, s)) });
    stages.push({ method: stage.method, seconds: (performance.now() - s0) / 1000, history: r.history, info: r.info });
  }
  if (!checkpointDir) {
    for (const f of used) removeCheckpoint(f);
    if (dir) removeEmptyDir(dir);
  }
  return { ...base, stages };
}

function removeEmptyDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty (another replay of the same base is checkpointing) or already gone
  }
}
