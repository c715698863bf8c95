// Attack signals from LiRA's reference layout (tensorflow/privacy research/mi_lira_2021), so shadow models
// trained in any framework get cwrf's attacks and report:
//   DIR/y_train.npy                      labels [>= n] (or --labels FILE)
//   DIR/<model>/keep.npy                 bool [>= n]: 1 where the example was in that model's training set
//   DIR/<model>/logits/<epoch>.npy       [n, 1, queries, classes] as inference.py saves them ([n, queries, classes]
//                                        and [n, classes] are read too); the last file in name order is used
// Models are the sub-folders holding both, in natural name order (experiment-2 before experiment-10); the target is the last one unless told (as plot.py).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { computeSignalMatrices, type SignalName } from '../attacks/index.ts';
import { parseNpy, type NdArray } from '../data/npy.ts';
import { InputError } from '../util/errors.ts';
import type { SignalSet } from './signals.ts';

function load(path: string): NdArray {
  try {
    return parseNpy(readFileSync(path), path);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Whether `dir` looks like LiRA's layout (a folder, not a signals file). */
export function isLiraDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** The signal set of a LiRA experiment folder; phi keeps every query ([models, n, queries]), the rest use query 0. */
export function readLiraDir(dir: string, opts: { labels?: string; target?: number } = {}): SignalSet & { models: string[] } {
  const models = readdirSync(dir)
    .filter((d) => existsSync(join(dir, d, 'keep.npy')) && existsSync(join(dir, d, 'logits')))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (models.length < 2) throw new InputError(`${dir}: needs at least 2 model folders with keep.npy and logits/ (LiRA layout), found ${models.length}`);
  const labelFile = opts.labels ?? join(dir, 'y_train.npy');
  if (!existsSync(labelFile)) throw new InputError(`${dir}: no labels (y_train.npy); give --labels FILE.npy`);
  const lab = load(labelFile);
  let n = -1;
  let Q = -1;
  let C = -1;
  const logits: Float64Array[] = [];
  const keeps: NdArray[] = [];
  for (const m of models) {
    const files = readdirSync(join(dir, m, 'logits')).filter((f) => f.endsWith('.npy')).sort();
    if (!files.length) throw new InputError(`${join(dir, m, 'logits')}: no .npy file`);
    const file = join(dir, m, 'logits', files[files.length - 1]);
    const a = load(file);
    const s = a.shape;
    const [nn, q, c] = s.length === 4 && s[1] === 1 ? [s[0], s[2], s[3]] : s.length === 3 ? s : s.length === 2 ? [s[0], 1, s[1]] : [];
    if (nn === undefined) throw new InputError(`${file}: logits must be [n, 1, queries, classes], [n, queries, classes] or [n, classes], got [${s}]`);
    if (n < 0) [n, Q, C] = [nn, q, c];
    else if (nn !== n || q !== Q || c !== C) throw new InputError(`${file}: shape [${s}] differs from the first model's [${n}, ${Q}, ${C}]`);
    if (!a.dtype.startsWith('f')) throw new InputError(`${file}: logits must be floats, got dtype ${a.dtype}`);
    const d = Float64Array.from(a.data);
    const bad = d.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new InputError(`${file}: non-finite logit at flat index ${bad}`);
    logits.push(d);
    keeps.push(load(join(dir, m, 'keep.npy')));
  }
  if (C < 2) throw new InputError(`${dir}: logits need at least 2 classes, got ${C}`);
  if (lab.shape.length !== 1 || lab.shape[0] < n) throw new InputError(`${labelFile}: labels must be [>= ${n}], got [${lab.shape}]`);
  const labels = Int32Array.from(lab.data.subarray(0, n), Number);
  const badLabel = labels.findIndex((y, i) => !Number.isInteger(lab.data[i]) || y < 0 || y >= C);
  if (badLabel >= 0) throw new InputError(`${labelFile}: label ${lab.data[badLabel]} of example ${badLabel} is not a class in [0, ${C})`);
  const M = models.length;
  const inclusion = new Uint8Array(M * n);
  keeps.forEach((k, m) => {
    if (k.shape.length !== 1 || k.shape[0] < n) throw new InputError(`${join(dir, models[m], 'keep.npy')}: must be [>= ${n}], got [${k.shape}]`);
    for (let i = 0; i < n; i++) inclusion[m * n + i] = k.data[i] ? 1 : 0;
  });
  const perQuery = (q: number) =>
    logits.map((d) => {
      const out = new Float64Array(n * C);
      for (let i = 0; i < n; i++) out.set(d.subarray((i * Q + q) * C, (i * Q + q + 1) * C), i * C);
      return out;
    });
  const base = computeSignalMatrices(perQuery(0), labels, n, C);
  const signals = {} as Record<SignalName, Float64Array>;
  for (const k of ['pY', 'negLoss', 'confidence', 'negEntropy', 'negModEntropy'] as const) signals[k] = base[k];
  if (Q === 1) signals.phi = base.phi;
  else {
    signals.phi = new Float64Array(M * n * Q);
    for (let q = 0; q < Q; q++) {
      const phi = q === 0 ? base.phi : computeSignalMatrices(perQuery(q), labels, n, C).phi;
      for (let k = 0; k < M * n; k++) signals.phi[k * Q + q] = phi[k];
    }
  }
  const target = opts.target ?? M - 1;
  if (!Number.isInteger(target) || target < 0 || target >= M) throw new InputError(`--target ${target} is not a model index in [0, ${M})`);
  return { signals, inclusion, labels, classes: C, target, queries: Q, models };
}
