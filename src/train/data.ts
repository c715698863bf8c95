// A dataset and its recorded split, held as engine tensors for training and scoring.
import { keep, tensor, type Tensor } from '../engine/index.ts';
import { channelStats, checkNormalize, loadDataset, makeSplit, type Dataset, type LoadOptions, type NormalizeSpec, type Split } from '../data/index.ts';
import type { DataSpec, Recipe } from './recipe.ts';

/** Tensors of one dataset split: `x`/`y` hold every train row; index tensors select the parts. */
export interface DataContext {
  ds: Dataset;
  split: Split;
  shape: number[];
  classes: number;
  x: Tensor;
  y: Tensor;
  /** Audit population rows (indices into x). */
  population: Tensor;
  /** Defender's non-member reference rows (indices into x). */
  reference: Tensor;
  /** Test rows: indices into testX. */
  test: Tensor;
  testX: Tensor;
  testY: Tensor;
  /** Labels of the population, in population order. */
  populationLabels: Int32Array;
  testLabels: Int32Array;
  /** The per-channel normalisation x and testX hold (null: raw values). */
  normalization: NormalizeSpec | null;
}

function idx(a: Int32Array): Tensor {
  return keep(tensor(a, [a.length], 'int64'));
}

type DataRecipe = Pick<Recipe, 'dataset' | 'split' | 'normalize' | 'data'>;

/** The loading options of a recipe: its recorded data options over the caller's (data directory, caches). */
export function recipeLoadOptions(recipe: Pick<Recipe, 'data'>, opts: LoadOptions): LoadOptions {
  const d = recipe.data;
  return { ...opts, ...(d?.labelColumn !== undefined ? { labelColumn: d.labelColumn } : {}), ...(d?.limit !== undefined ? { limit: d.limit } : {}) };
}

/** A recipe's data options without the defaults (undefined when none is left), as recorded. */
export function dataSpec(d: DataSpec): DataSpec | undefined {
  const out: DataSpec = {
    ...(d.labelColumn !== undefined && d.labelColumn !== 0 ? { labelColumn: d.labelColumn } : {}),
    ...(d.limit !== undefined ? { limit: d.limit } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

const raw = new Map<string, Promise<{ ds: Dataset; split: Split }>>();
const cache = new Map<string, Promise<DataContext>>();

function memo<T>(m: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = m.get(key);
  if (!p) {
    p = make();
    m.set(key, p);
    p.catch(() => m.delete(key));
  }
  return p;
}

/** The dataset and its split (once per process). */
function loadRaw(recipe: DataRecipe, given: LoadOptions): Promise<{ ds: Dataset; split: Split }> {
  const opts = recipeLoadOptions(recipe, given);
  const key = JSON.stringify([recipe.dataset, recipe.split, opts.dataDir ?? '', opts.limit ?? 0, opts.labelColumn ?? 'first']);
  return memo(raw, key, async () => {
    const ds = await loadDataset(recipe.dataset, opts);
    return { ds, split: makeSplit(ds, recipe.split) };
  });
}

/** The recipe's normalisation with 'population' resolved to the population's per-channel mean and std. */
export async function resolveNormalization(recipe: DataRecipe, opts: LoadOptions = {}): Promise<NormalizeSpec | null> {
  if (!recipe.normalize) return null;
  const { ds, split } = await loadRaw(recipe, opts);
  const spec = recipe.normalize === 'population' ? channelStats(ds, split.population) : recipe.normalize;
  checkNormalize(spec, ds.shape);
  return spec;
}

/** Loads (once per process) the dataset and split named by the recipe, normalised as it says. */
export async function loadData(recipe: DataRecipe, opts: LoadOptions = {}): Promise<DataContext> {
  const norm = await resolveNormalization(recipe, opts);
  const o = recipeLoadOptions(recipe, opts);
  const key = JSON.stringify([recipe.dataset, recipe.split, o.dataDir ?? '', o.limit ?? 0, o.labelColumn ?? 'first', norm]);
  return memo(cache, key, async () => build(await loadRaw(recipe, opts), norm));
}

/** (x - mean) / std per channel of a [n, C, H, W] batch, in place. */
export function normalizeInPlace(x: Tensor, n: NormalizeSpec): void {
  const c = n.mean.length;
  const mean = tensor(Float32Array.from(n.mean), [1, c, 1, 1]);
  const std = tensor(Float32Array.from(n.std), [1, c, 1, 1]);
  x.add_(mean, -1).div_(std);
  mean.dispose();
  std.dispose();
}

async function build({ ds, split }: { ds: Dataset; split: Split }, norm: NormalizeSpec | null): Promise<DataContext> {
  const per = ds.shape;
  const x = keep(tensor(ds.train.x, [ds.train.n, ...per]));
  const y = keep(tensor(ds.train.y, [ds.train.n], 'int64'));
  const testSrc = split.testFromTrain || !ds.test ? ds.train : ds.test;
  const testX = split.testFromTrain || !ds.test ? x : keep(tensor(ds.test.x, [ds.test.n, ...per]));
  const testY = split.testFromTrain || !ds.test ? y : keep(tensor(ds.test.y, [ds.test.n], 'int64'));
  if (norm) {
    normalizeInPlace(x, norm);
    if (testX !== x) normalizeInPlace(testX, norm);
  }
  const test = split.test ?? new Int32Array(0);
  return {
    ds,
    split,
    shape: per,
    classes: ds.classes,
    x,
    y,
    population: idx(split.population),
    reference: idx(split.reference),
    test: idx(test),
    testX,
    testY,
    populationLabels: Int32Array.from(split.population, (i) => ds.train.y[i]),
    testLabels: Int32Array.from(test, (i) => testSrc.y[i]),
    normalization: norm,
  };
}

/** Indices into x of the population rows whose mask entry is 1. */
export function memberRows(data: DataContext, mask: Uint8Array): Tensor {
  const rows: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) rows.push(data.split.population[i]);
  return tensor(Int32Array.from(rows), [rows.length], 'int64');
}
