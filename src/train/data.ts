// A dataset and its recorded split, held as engine tensors for training and scoring.
import { keep, tensor, type Tensor } from '../engine/index.ts';
import { loadDataset, makeSplit, type Dataset, type LoadOptions, type Split } from '../data/index.ts';
import type { Recipe } from './recipe.ts';

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
}

function idx(a: Int32Array): Tensor {
  return keep(tensor(a, [a.length], 'int64'));
}

const cache = new Map<string, Promise<DataContext>>();

/** Loads (once per process) the dataset and split named by the recipe. */
export function loadData(recipe: Pick<Recipe, 'dataset' | 'split'>, opts: LoadOptions = {}): Promise<DataContext> {
  const key = JSON.stringify([recipe.dataset, recipe.split, opts.dataDir ?? '', opts.limit ?? 0]);
  let p = cache.get(key);
  if (!p) {
    p = build(recipe, opts);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function build(recipe: Pick<Recipe, 'dataset' | 'split'>, opts: LoadOptions): Promise<DataContext> {
  const ds = await loadDataset(recipe.dataset, opts);
  const split = makeSplit(ds, recipe.split);
  const per = ds.shape;
  const x = keep(tensor(ds.train.x, [ds.train.n, ...per]));
  const y = keep(tensor(ds.train.y, [ds.train.n], 'int64'));
  const testSrc = split.testFromTrain || !ds.test ? ds.train : ds.test;
  const testX = split.testFromTrain || !ds.test ? x : keep(tensor(ds.test.x, [ds.test.n, ...per]));
  const testY = split.testFromTrain || !ds.test ? y : keep(tensor(ds.test.y, [ds.test.n], 'int64'));
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
  };
}

/** Indices into x of the population rows whose mask entry is 1. */
export function memberRows(data: DataContext, mask: Uint8Array): Tensor {
  const rows: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) rows.push(data.split.population[i]);
  return tensor(Int32Array.from(rows), [rows.length], 'int64');
}
