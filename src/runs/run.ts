// A run directory: the recipe, the member half, initial and final weights, and metrics.
//   run.json           recipe, per-epoch history, accuracies, timings, versions
//   init.safetensors   initial weights (rewinding needs them)
//   model.safetensors  final weights
//   split.safetensors  population / reference / test row indices (I32) and members (U8 over population)
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Generator, getThreads } from '../engine/index.ts';
import { readSafetensors, writeSafetensors } from '../io/safetensors.ts';
import { writeDirAtomic, writeJsonAtomic } from '../io/atomic.ts';
import { memberMask, type Dataset, type LoadOptions } from '../data/index.ts';
import { buildModel, type Module, type StateEntry } from '../nn/index.ts';
import { OnnxModule } from '../nn/onnx/module.ts';
import { accuracy, canonicalJson, dataSpec, loadData, removeCheckpoint, validateRecipe, type DataContext, type EpochStats, type Recipe } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import { versions } from './versions.ts';
import { firstQuery, queryLogits } from './queries.ts';
import { upgradeRecipe } from '../defenses/index.ts';
import { replay, type StageLog } from './replay.ts';
import { loadState, saveState } from '../nn/index.ts';
import { releasedLogits, releaseViews, type Queries } from '../defenses/index.ts';

export interface RunMetrics {
  trainAccuracy: number;
  testAccuracy: number;
  members: number;
  populationSize: number;
  referenceSize: number;
  testSize: number;
  trainSeconds: number;
  history: EpochStats[];
  stages: StageLog[];
}

export interface RunJson {
  format: 'cwrf-run/1';
  created: string;
  recipe: Recipe;
  /** The run this one was derived from (by `cwrf defend`). */
  parent?: string;
  /** Where the dataset's files were found (absolute), used when a later command is given no --data-dir. */
  dataDir?: string;
  metrics: RunMetrics;
  /** Examples reshaped before an ONNX graph whose input differs from the data's only by flattening. */
  inputReshape?: InputReshape;
  /** Intra-op threads this process trained with (src/engine/threads.ts; absent in runs made before it was recorded). */
  threads?: number;
  versions: Record<string, string>;
}

/** The data's example shape and the ONNX graph input shape it is reshaped to. */
export interface InputReshape {
  data: number[];
  model: number[];
}

/** The reshape `model` applies to the data's examples (an ONNX graph taking them flattened), if any. */
export function inputReshape(model: Module, data: Pick<DataContext, 'shape'>): { inputReshape?: InputReshape } {
  return model instanceof OnnxModule && model.reshapeTo ? { inputReshape: { data: data.shape, model: model.reshapeTo } } : {};
}

/** The log line saying a run's examples are reshaped before its ONNX graph. */
export function reshapeNote(r: InputReshape): string {
  return `note: the data's examples [${r.data}] are reshaped to the ONNX graph's input [${r.model}] (recorded in run.json)`;
}

/** A run on disk. */
export interface Run extends RunJson {
  dir: string;
  /** 0/1 over the population: the target's members. */
  members: Uint8Array;
}

/** The target's member half: a seeded half of the population. */
export function targetMembers(recipe: Recipe, populationSize: number): Uint8Array {
  return memberMask(populationSize, Rng.deriveSeed(recipe.memberSeed, 'members'));
}

/**
 * The released population logits of a model (after the recipe's release transform, e.g. HAMP's output
 * modification), its accuracy on its members (a subset of the population) and on the test rows.
 */
export function evaluate(
  model: Module,
  data: DataContext,
  members: Uint8Array,
  recipe: Pick<Recipe, 'release' | 'seed'>,
  queries = 1,
): { trainAccuracy: number; testAccuracy: number; logits: Float32Array; classes: number; queries: number } {
  const popQueries = { x: data.x, index: data.population, rowIds: data.split.population, source: 'train', normalization: data.normalization };
  const q = queries === 1 ? releasedLogits(model, popQueries, recipe) : releasedQueryLogits(model, data, queries, popQueries, recipe);
  const { classes } = q;
  const logits = firstQuery(q.logits, data.split.population.length, queries, classes);
  const idx = [...members.keys()].filter((i) => members[i]);
  const memberLogits = new Float32Array(idx.length * classes);
  idx.forEach((p, j) => memberLogits.set(logits.subarray(p * classes, (p + 1) * classes), j * classes));
  const trainAccuracy = accuracy(memberLogits, classes, Int32Array.from(idx, (p) => data.populationLabels[p]));
  const testQueries = { x: data.testX, index: data.test, rowIds: data.split.test ?? new Int32Array(0), source: data.split.testFromTrain ? 'train' : 'test', normalization: data.normalization };
  const t = releasedLogits(model, testQueries, recipe);
  return { trainAccuracy, testAccuracy: accuracy(t.logits, t.classes, data.testLabels), logits: q.logits, classes, queries };
}

/** LiRA's augmented queries of the population, each view released as its own query ([n, views, classes]). */
function releasedQueryLogits(model: Module, data: DataContext, views: number, q: Queries, recipe: Pick<Recipe, 'release' | 'seed'>): { logits: Float32Array; classes: number } {
  const raw = queryLogits(model, data, views);
  return { logits: releaseViews(model, raw.logits, views, raw.classes, q, recipe), classes: raw.classes };
}

export interface TrainOptions extends LoadOptions {
  out: string;
  onEpoch?: (stage: string, s: EpochStats) => void;
}

/** Trains (and defends, if the recipe says so) a target model and writes its run directory atomically. */
export async function train(asked: Recipe, opts: TrainOptions): Promise<Run> {
  validateRecipe(asked);
  const data = await loadData(asked, opts);
  const recipe = recordNormalization(recordDataOptions(asked, opts, data.ds), data);
  const members = targetMembers(recipe, data.split.population.length);
  const ckpt = checkpointDirFor(opts.out);
  const r = await replay(recipe, data, members, opts.onEpoch, undefined, ckpt);
  try {
    const { trainAccuracy, testAccuracy } = evaluate(r.model, data, members, recipe);
    const acc = { trainAccuracy, testAccuracy };
    const json: RunJson = {
      format: 'cwrf-run/1',
      created: new Date().toISOString(),
      recipe,
      ...(opts.dataDir ? { dataDir: resolve(opts.dataDir) } : {}),
      ...inputReshape(r.model, data),
      metrics: {
        ...acc,
        members: members.reduce((a, b) => a + b, 0),
        populationSize: members.length,
        referenceSize: data.split.reference.length,
        testSize: data.testLabels.length,
        trainSeconds: r.trainSeconds,
        history: r.history,
        stages: r.stages,
      },
      threads: getThreads(),
      versions: versions(),
    };
    await writeRun(opts.out, json, r.init, r.model.stateDict(), data, members);
    removeCheckpoint(ckpt);
    return { ...json, dir: opts.out, members };
  } finally {
    r.model.dispose();
  }
}

/** Writes a run directory atomically (see the layout at the top of this file). */
export async function writeRun(
  out: string,
  json: RunJson,
  init: Record<string, StateEntry>,
  model: Record<string, StateEntry>,
  data: DataContext,
  members: Uint8Array,
): Promise<void> {
  await writeDirAtomic(out, async (tmp) => {
    await saveState(join(tmp, 'init.safetensors'), init);
    await saveState(join(tmp, 'model.safetensors'), model);
    await writeSafetensors(join(tmp, 'split.safetensors'), {
      population: { dtype: 'I32', shape: [data.split.population.length], data: data.split.population },
      reference: { dtype: 'I32', shape: [data.split.reference.length], data: data.split.reference },
      test: { dtype: 'I32', shape: [data.testLabels.length], data: data.split.test ?? new Int32Array(0) },
      members: { dtype: 'U8', shape: [members.length], data: members },
    });
    await writeJsonAtomic(join(tmp, 'run.json'), json);
  });
}

/** The files of a run directory (see the layout at the top of this file). */
export const RUN_FILES = ['run.json', 'init.safetensors', 'model.safetensors', 'split.safetensors'] as const;

/** A run directory and its files: what a command reading the run must not write over. */
export function runInputs(dir: string): string[] {
  return [dir, ...RUN_FILES.map((f) => join(dir, f))];
}

/** Reads a run directory written by train() or defend(). */
export async function loadRun(dir: string): Promise<Run> {
  const file = join(dir, 'run.json');
  if (!existsSync(file)) throw new InputError(`${dir} is not a cwrf run (no run.json)`);
  let json: RunJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as RunJson;
  } catch (e) {
    throw new InputError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (json.format !== 'cwrf-run/1') throw new InputError(`${file}: unknown format '${String(json.format)}'`);
  const split = await readSafetensors(join(dir, 'split.safetensors'));
  const m = split.tensors.members;
  if (!m) throw new InputError(`${dir}/split.safetensors has no 'members' tensor`);
  return { ...json, recipe: upgradeRecipe(json.recipe, json.metrics.history), dir, members: m.data as Uint8Array };
}

/** Where a command writing `out` keeps its training checkpoints until `out` is written. */
export function checkpointDirFor(out: string): string {
  return `${out.replace(/\/+$/, '')}.checkpoint`;
}

/**
 * The recipe with the data options it was trained with: its own, a --limit given as a loading option, and
 * the label column the CSV was read with (as an index); the defaults are left out (see DataSpec).
 */
export function recordDataOptions(recipe: Recipe, opts: LoadOptions, ds: Pick<Dataset, 'labelColumn'>): Recipe {
  const spec = dataSpec({ ...recipe.data, ...(recipe.data?.limit === undefined && opts.limit !== undefined ? { limit: opts.limit } : {}), ...(ds.labelColumn !== undefined ? { labelColumn: ds.labelColumn } : {}) });
  const out: Recipe = { ...recipe };
  delete out.data;
  return spec ? { ...out, data: spec } : out;
}

/** The recipe with normalize 'population' replaced by the values `data` holds (what run.json records). */
export function recordNormalization(recipe: Recipe, data: DataContext): Recipe {
  return recipe.normalize === 'population' && data.normalization ? { ...recipe, normalize: data.normalization } : recipe;
}

/** Loads a finished run to reuse it for `want` (resumed bench or demo): its recipe must be `want`. */
export async function reuseRun(dir: string, want: Recipe): Promise<Run> {
  const run = await loadRun(dir);
  const resolved = want.normalize === 'population' && typeof run.recipe.normalize === 'object' ? { ...want, normalize: run.recipe.normalize } : want;
  if (canonicalJson(run.recipe) !== canonicalJson(resolved))
    throw new InputError(`${dir} holds a run with other settings than this command asks for (changed defaults?): use a new --out or remove it`);
  return run;
}

/** The run's model with its final (or initial) weights loaded. */
export async function loadRunModel(run: Run, data: DataContext, which: 'model' | 'init' = 'model'): Promise<Module> {
  const model = buildModel(run.recipe.model, data.shape, data.classes, new Generator(run.recipe.seed));
  const state: Record<string, StateEntry> = await loadState(join(run.dir, `${which}.safetensors`));
  model.loadStateDict(state, `${run.dir}/${which}.safetensors`);
  return model;
}
