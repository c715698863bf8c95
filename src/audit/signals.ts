// The signals file of an audit (signals.safetensors): signal matrices, inclusion, labels and per-attack scores;
// signal matrices from per-model logits under LiRA's queries.
import { existsSync } from 'node:fs';
import { computeSignalMatrices, type AttackResult, type SignalName } from '../attacks/index.ts';
import { readSafetensors, writeSafetensors, type StoredTensor } from '../io/safetensors.ts';
import { InputError } from '../util/errors.ts';

/** Signal matrices, inclusion and labels: everything the attacks need. */
export interface SignalSet {
  signals: Record<SignalName, Float64Array>;
  inclusion: Uint8Array;
  labels: Int32Array;
  classes: number;
  target: number;
  /** Queries per example (augmentations): phi is then [models, n, queries]; the other signals use the first. */
  queries?: number;
}

const SIGNAL_FILE_NAMES: Record<SignalName, string> = {
  phi: 'phi',
  pY: 'p_y',
  negLoss: 'neg_loss',
  confidence: 'confidence',
  negEntropy: 'neg_entropy',
  negModEntropy: 'neg_mod_entropy',
};

/** Writes signals.safetensors: per-model signal matrices, inclusion, labels, and the target's attack scores. */
export async function writeSignals(file: string, s: SignalSet, results: AttackResult[]): Promise<void> {
  const n = s.labels.length;
  const models = s.inclusion.length / n;
  const t: Record<string, StoredTensor> = {
    inclusion: { dtype: 'U8', shape: [models, n], data: s.inclusion },
    labels: { dtype: 'I32', shape: [n], data: s.labels },
  };
  const q = s.queries ?? 1;
  for (const [k, name] of Object.entries(SIGNAL_FILE_NAMES))
    if (s.signals[k as SignalName])
      t[name] = { dtype: 'F64', shape: k === 'phi' && q > 1 ? [models, n, q] : [models, n], data: s.signals[k as SignalName] };
  for (const r of results) t[`score.${r.name}`] = { dtype: 'F64', shape: [n], data: r.scores };
  await writeSafetensors(file, t, {
    format: 'cwrf-signals/1',
    target: String(s.target),
    classes: String(s.classes),
    ...(q > 1 ? { queries: String(q) } : {}),
  });
}

/** Reads a signals file (cwrf's own, or one exported from elsewhere with at least phi or p_y, inclusion, labels). */
export async function readSignals(file: string): Promise<SignalSet & { scores: Record<string, Float64Array> }> {
  if (!existsSync(file)) throw new InputError(`signals file not found: ${file}`);
  const { tensors, metadata } = await readSafetensors(file);
  const inc = tensors.inclusion;
  const lab = tensors.labels;
  if (!inc || !lab) throw new InputError(`${file}: needs 'inclusion' [models, n] and 'labels' [n] tensors`);
  if (inc.shape.length !== 2) throw new InputError(`${file}: 'inclusion' must be 2-D [models, n], got [${inc.shape}]`);
  const [models, n] = inc.shape;
  if (lab.shape.length !== 1 || lab.shape[0] !== n) throw new InputError(`${file}: 'labels' must have shape [${n}], got [${lab.shape}]`);
  const labels = lab.dtype === 'I32' ? (lab.data as Int32Array) : Int32Array.from(lab.data as ArrayLike<number | bigint>, Number);
  const inclusion = Uint8Array.from(inc.data as ArrayLike<number | bigint>, (v) => (Number(v) ? 1 : 0));
  const signals = {} as Record<SignalName, Float64Array>;
  let queries = 1;
  for (const [k, name] of Object.entries(SIGNAL_FILE_NAMES)) {
    const tt = tensors[name];
    if (!tt) continue;
    if (k === 'phi' && tt.shape.length === 3 && tt.shape[0] === models && tt.shape[1] === n) queries = tt.shape[2];
    else if (tt.shape.join() !== `${models},${n}`)
      throw new InputError(`${file}: '${name}' must have shape [${models}, ${n}], got [${tt.shape}]`);
    const d = Float64Array.from(tt.data as ArrayLike<number | bigint>, Number);
    const bad = d.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new InputError(`${file}: '${name}' has a non-finite value at model ${Math.floor(bad / n)}, example ${bad % n}`);
    signals[k as SignalName] = d;
  }
  if (Object.keys(signals).length === 0) throw new InputError(`${file}: no signal tensor (phi, p_y, neg_loss, ...)`);
  const classes = Number(metadata.classes ?? Math.max(...labels) + 1);
  const target = Number(metadata.target ?? 0);
  if (!Number.isInteger(target) || target < 0 || target >= models) throw new InputError(`${file}: target ${metadata.target} out of range`);
  const scores: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(tensors)) if (k.startsWith('score.')) scores[k.slice(6)] = v.data as Float64Array;
  return { signals, inclusion, labels, classes, target, scores, ...(queries > 1 ? { queries } : {}) };
}

/**
 * Signal matrices from per-model [n, queries, classes] logits: phi keeps every query ([models x n x queries],
 * for LiRA, which averages per-query log-likelihood ratios, and phi-threshold, which averages phi); every other
 * signal (RMIA's p_y, the threshold attacks') is of the first query, the image itself.
 */
export function querySignals(
  logits: Float32Array[],
  labels: Int32Array,
  queries: number,
  classes: number,
): Record<SignalName, Float64Array> {
  const n = labels.length;
  if (queries === 1) return computeSignalMatrices(logits, labels, n, classes);
  const rep = new Int32Array(n * queries);
  for (let i = 0; i < n; i++) rep.fill(labels[i], i * queries, (i + 1) * queries);
  const all = computeSignalMatrices(logits, rep, n * queries, classes);
  const out = { ...all } as Record<SignalName, Float64Array>;
  for (const k of Object.keys(out) as SignalName[]) {
    if (k === 'phi') continue;
    const src = all[k];
    const d = new Float64Array(logits.length * n);
    for (let r = 0; r < logits.length * n; r++) d[r] = src[r * queries];
    out[k] = d;
  }
  return out;
}
