// Loading a dataset by name or spec: the named datasets (src/data/datasets/) and the generic specs (csv:, npy:,
// npz:, imagefolder:, synthetic:); which kind (image or tabular) a spec is.
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { InputError } from '../util/errors.ts';
import { fromArrays, labelsFromArray } from './datasets/arrays.ts';
import { DATASETS, type DatasetEntry, type DatasetKind } from './datasets/index.ts';
import { archiveSource, loadImageFolder } from './images.ts';
import { dataSearchPath, findDataFile, readFileOrThrow, verifySha256 } from './io.ts';
import { parseNpy, parseNpz } from './npy.ts';
import { parseSyntheticSpec, syntheticDataset } from './synthetic.ts';
import { readCsvFile } from './tabular.ts';
import type { Dataset, DatasetInfo, LoadOptions } from './types.ts';
import { limitBalanced, validateDataset } from './validate.ts';

export { dataSearchPath, labelsFromArray };

/** The generic spec forms accepted by `loadDataset` besides the named datasets. */
export const SPEC_FORMS: { spec: string; description: string }[] = [
  { spec: 'csv:<file.csv>', description: 'numeric CSV, optional header, label column from labelColumn (default first)' },
  { spec: 'npy:<x.npy>,<y.npy>', description: 'NumPy arrays: x [n, ...shape], y integer [n] or one-hot [n, K]' },
  { spec: 'npz:<file.npz>', description: 'NumPy archive with x/y (or features/labels; optional x_test/y_test)' },
  { spec: 'imagefolder:<dir|.tar.gz>', description: 'JPEG/PNG in class folders, optionally under train/ and test/' },
  {
    spec: 'synthetic:n=4000,features=64,classes=10,noise=0.2,seed=0',
    description:
      'generated binary tabular data, labels flipped with probability noise (any subset of the parameters; these are the defaults)',
  },
];

/** Whether `spec` means the same data on every machine (a named dataset, or `synthetic`), so that queue workers can resolve it. */
export function isPortableSpec(spec: string): boolean {
  const s = spec.trim().toLowerCase();
  return DATASETS.some((n) => n.info.name === s) || s.startsWith('synthetic:');
}

/**
 * The name a spec is known by in per-dataset tables (a defense's defaults per dataset): the text before the first
 * colon, as recorded in recipes (`purchase100`, `imagefolder` for `imagefolder:DIR`).
 */
export function datasetName(spec: string): string {
  return spec.split(':')[0];
}

/**
 * The kind of the data a spec names, from its text alone (no file is read; the name as recorded in recipes, case
 * and all): a named dataset's own kind; an `imagefolder:` spec is images; every other spec (csv:, npy:, npz:,
 * synthetic:, a bare path) tabular.
 */
export function datasetKind(spec: string): DatasetKind {
  const name = datasetName(spec);
  const named = DATASETS.find((n) => n.info.name === name);
  if (named) return named.kind;
  return name === 'imagefolder' ? 'image' : 'tabular';
}

/** The named datasets (see also SPEC_FORMS for csv:, npy:, npz:, imagefolder:). */
export function listDatasets(): DatasetInfo[] {
  return DATASETS.map((n) => ({ ...n.info }));
}

function loadNamed(named: DatasetEntry, opts: LoadOptions): Dataset {
  if (named.candidates.length === 0) return named.load('', { file: '', kind: 'csv' }, Buffer.alloc(0), '', opts);
  const found = findDataFile(
    named.candidates.map((c) => c.file),
    named.subdirs,
    opts,
  );
  if (found.path === null) {
    const main = named.candidates[0];
    const alts = named.candidates.slice(1).map((c) => c.file);
    const dirs = dataSearchPath(opts);
    throw new InputError(
      `dataset '${named.info.name}' not found: need ${main.file} (sha256 ${main.sha256 ?? 'not pinned'})` +
        (alts.length ? ` or ${alts.join(' or ')}` : '') +
        `; searched ${dirs.length ? dirs.join(', ') : '(no directories)'} and their ${named.subdirs.map((s) => `${s}/`).join(', ')} subfolders; ` +
        `set --data-dir / opts.dataDir or CWRF_DATA_DIR`,
    );
  }
  const cand = named.candidates.find((c) => c.file === found.file)!;
  const buf = readFileOrThrow(found.path);
  const sha = verifySha256(found.path, buf, cand.sha256);
  return named.load(found.path, cand, buf, sha, opts);
}

function stem(p: string): string {
  return basename(p).replace(/\.(tar\.gz|tgz|tar|csv|npz|npy)$/i, '');
}

/** Guesses the spec form of a bare path (file.csv, file.npz, dir, archive). */
function inferSpec(spec: string): string | null {
  if (!existsSync(spec)) return null;
  if (statSync(spec).isDirectory()) return `imagefolder:${spec}`;
  if (/\.csv$/i.test(spec)) return `csv:${spec}`;
  if (/\.npz$/i.test(spec)) return `npz:${spec}`;
  if (/\.(tar\.gz|tgz|tar)$/i.test(spec)) return `imagefolder:${spec}`;
  return null;
}

/** The CSV file a dataset spec reads (csv:PATH or a bare .csv path), or null for any other dataset. */
export function csvFileOf(spec: string): string | null {
  const paths = localDatasetPaths(spec);
  const s = spec.trim();
  return paths.length === 1 && (/^csv:/i.test(s) || (!/^[a-z]{2,}:/i.test(s) && /\.csv$/i.test(s))) ? paths[0] : null;
}

/** The local files or folders a dataset spec reads (csv:, npy:, npz:, imagefolder:, a bare path); none for a named dataset. */
export function localDatasetPaths(spec: string): string[] {
  const s = spec.trim();
  if (DATASETS.some((n) => n.info.name === s.toLowerCase())) return [];
  const m = /^([a-z]+):(.*)$/i.exec(s);
  const generic = m && m[1].length > 1 ? s : inferSpec(s);
  if (!generic) return [];
  const arg = generic.slice(generic.indexOf(':') + 1);
  return (generic.toLowerCase().startsWith('npy:') ? arg.split(',') : [arg]).filter(Boolean).map((p) => resolve(p));
}

async function loadGeneric(kind: string, arg: string, opts: LoadOptions): Promise<Dataset> {
  if (kind === 'synthetic') return syntheticDataset(parseSyntheticSpec(arg));
  if (!arg) throw new InputError(`dataset spec '${kind}:' needs a path after the colon`);
  switch (kind) {
    case 'csv': {
      const file = resolve(arg);
      const t = await readCsvFile(file, opts.labelColumn ?? 'first');
      return {
        name: stem(file),
        shape: [t.d],
        classes: t.classNames.length,
        classNames: t.classNames,
        train: { x: t.x, y: t.y, n: t.n },
        source: file,
        labelColumn: t.labelColumn,
      };
    }
    case 'npy': {
      const parts = arg.split(',');
      if (parts.length !== 2 || !parts[0] || !parts[1]) {
        throw new InputError(`dataset spec 'npy:' needs two files: npy:<x.npy>,<y.npy>, got 'npy:${arg}'`);
      }
      const [xf, yf] = parts.map((p) => resolve(p));
      const xa = parseNpy(readFileOrThrow(xf), xf);
      const ya = parseNpy(readFileOrThrow(yf), yf);
      return fromArrays(stem(xf), `${xf},${yf}`, { x: xa, y: ya }, {});
    }
    case 'npz': {
      const file = resolve(arg);
      return fromArrays(stem(file), file, parseNpz(readFileOrThrow(file), file), {});
    }
    case 'imagefolder': {
      const p = resolve(arg);
      if (!existsSync(p)) throw new InputError(`image folder not found: ${p}`);
      const src = statSync(p).isDirectory() ? ({ kind: 'dir', dir: p } as const) : archiveSource(p);
      return loadImageFolder(stem(p), src, opts).ds;
    }
    default:
      throw new InputError(`unknown dataset kind '${kind}:'; use ${SPEC_FORMS.map((f) => f.spec).join(', ')}`);
  }
}

/**
 * Loads a dataset by name (mnist, synthetic, location, purchase100, texas100, cifar10, cifar100, cifar10-jpeg) or
 * spec (csv:, npy:, npz:, imagefolder:, synthetic:), applies `opts.limit`, and validates it.
 */
export async function loadDataset(spec: string, opts: LoadOptions = {}): Promise<Dataset> {
  const s = spec.trim();
  if (!s) throw new InputError('empty dataset name');
  const named = DATASETS.find((n) => n.info.name === s.toLowerCase());
  let ds: Dataset;
  if (named) {
    ds = loadNamed(named, opts);
  } else {
    const m = /^([a-z]+):(.*)$/i.exec(s);
    const generic = m && m[1].length > 1 ? s : inferSpec(s);
    if (!generic) {
      throw new InputError(
        `unknown dataset '${spec}'; known: ${DATASETS.map((n) => n.info.name).join(', ')}, or ${SPEC_FORMS.map((f) => f.spec).join(', ')}`,
      );
    }
    const i = generic.indexOf(':');
    ds = await loadGeneric(generic.slice(0, i).toLowerCase(), generic.slice(i + 1), opts);
  }
  if (opts.limit !== undefined) {
    ds.train = limitBalanced(ds.train, ds.shape, opts.limit);
    if (ds.test) ds.test = limitBalanced(ds.test, ds.shape, opts.limit);
  }
  validateDataset(ds);
  return ds;
}
