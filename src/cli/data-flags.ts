// Dataset options from flags: where files are found (--data-dir), and the data options a run records
// (--label-column, --limit): given to `train`/`bench`, and on an existing run only to repeat what it recorded.
import { csvFileOf, labelColumnIndex, type LoadOptions } from '../data/index.ts';
import { dataSpec, type DataSpec, type Recipe } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import type { Flags } from './flags.ts';

/** --data-dir as loading options. */
export function loadOptionsFromFlags(f: Flags): LoadOptions {
  const dir = f.opt<string>('data-dir');
  return dir !== undefined ? { dataDir: dir } : {};
}

/** The index of --label-column VALUE ('first', 'last', N, -N or a header name) in the CSV of `dataset`. */
function labelColumnFlag(f: Flags, dataset: string, value: string): number {
  const file = csvFileOf(dataset);
  if (file === null) throw new InputError(`--label-column applies to csv: datasets, not '${dataset}'`);
  return labelColumnIndex(file, /^-?\d+$/.test(value.trim()) ? Number(value) : value);
}

/** The data options of a new recipe on `dataset` (--label-column resolved to its index, --limit); undefined: the defaults. */
export function dataSpecFromFlags(f: Flags, dataset: string): DataSpec | undefined {
  const lc = f.opt<string>('label-column');
  const limit = f.opt<number>('limit');
  return dataSpec({ ...(lc !== undefined ? { labelColumn: labelColumnFlag(f, dataset, lc) } : {}), ...(limit !== undefined ? { limit } : {}) });
}

/**
 * Loading options for a command on an existing run: its recorded data directory unless --data-dir is given.
 * Its data options come from its recipe; --label-column or --limit may only repeat them (another value is refused).
 */
export function runLoadOptions(f: Flags, run: { dir: string; dataDir?: string; recipe: Pick<Recipe, 'dataset' | 'data'> }): LoadOptions {
  const lc = f.opt<string>('label-column');
  const has = run.recipe.data;
  if (lc !== undefined) {
    const want = labelColumnFlag(f, run.recipe.dataset, lc);
    if (want !== (has?.labelColumn ?? 0))
      throw new InputError(`--label-column ${lc} is column ${want}, but ${run.dir} was trained on label column ${has?.labelColumn ?? 0}: drop --label-column (the run's own is used)`);
  }
  const limit = f.opt<number>('limit');
  if (limit !== undefined && limit !== has?.limit)
    throw new InputError(`--limit ${limit} differs from ${run.dir}'s (${has?.limit ?? 'none: all rows'}): drop --limit (the run's own is used)`);
  const o = loadOptionsFromFlags(f);
  return o.dataDir || !run.dataDir ? o : { ...o, dataDir: run.dataDir };
}
