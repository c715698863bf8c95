// Loader helpers shared by the named datasets and the npy:/npz: specs: labels from arrays, datasets from npz arrays
// and from the privacytrustlab CSVs.
import { InputError } from '../../util/errors.ts';
import { readTar, type ArchiveEntry } from '../io.ts';
import { parseNpz, type NdArray } from '../npy.ts';
import { scanNumericCsv, toLabels } from '../tabular.ts';
import type { Dataset, Tensorish } from '../types.ts';
import { prod } from '../validate.ts';
import type { Candidate } from './types.ts';

export function tabular(name: string, file: string, x: Float32Array, y: Int32Array, d: number, classes: number, sha?: string): Dataset {
  const ds: Dataset = { name, shape: [d], classes, train: { x, y, n: y.length }, source: file };
  if (sha) ds.sha256 = sha;
  return ds;
}

export function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** The single archive member named `name` (or the only member). */
export function member(entries: ArchiveEntry[], name: string, file: string): ArchiveEntry {
  const e = entries.find((en) => baseName(en.path) === name) ?? (entries.length === 1 ? entries[0] : undefined);
  if (!e) throw new InputError(`cannot read ${file}: the archive has no ${name} file`);
  return e;
}

/** Integer labels from an npy array: one-hot/score rows [n, K] (argmax of one-hot) or integers [n] / [n, 1]. */
export function labelsFromArray(a: NdArray, n: number, where: string, classes?: number): { y: Int32Array; classes: number } {
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
export function fromArrays(
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
    if (xa.shape.length < 2)
      throw new InputError(`${file}: ${what} features have shape (${xa.shape.join(', ')}), expected (n, features...)`);
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
export function tabularNamed(name: string, memberName: string, features: number, classes: number) {
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
