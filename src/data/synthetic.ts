// The seeded synthetic tabular dataset `synthetic:n=4000,features=64,classes=10,noise=0.2,seed=0`: binary
// features drawn per class from seeded Bernoulli prototypes, a fraction of labels flipped to another class.
// Integer arithmetic only (xoshiro128** draws compared with integer thresholds), so the same spec gives the
// same bytes on every machine; the flipped labels can only be memorised, which is what membership inference
// finds. Ships with cwrf: the tests and a first audit need no data files.
import { createHash } from 'node:crypto';
import { InputError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import type { Dataset } from './types.ts';

/** Parameters of the synthetic dataset. */
export interface SyntheticSpec {
  /** Rows. */
  n: number;
  /** Binary features per row. */
  features: number;
  /** Classes (labels 0..classes-1). */
  classes: number;
  /** Fraction of rows whose label is replaced by another class, in [0, 1). */
  noise: number;
  /** Seed of the prototypes, rows and label noise. */
  seed: number;
}

/** The parameters `synthetic` stands for when the spec names none. */
export const SYNTHETIC_DEFAULTS: Readonly<SyntheticSpec> = { n: 4000, features: 64, classes: 10, noise: 0.2, seed: 0 };

const KEYS = ['n', 'features', 'classes', 'noise', 'seed'] as const;
/** Size limits (x is held as float32: n * features values). */
const MAX_N = 10_000_000;
const MAX_FEATURES = 100_000;
const MAX_CLASSES = 10_000;
const MAX_VALUES = 200_000_000;
/** A prototype probability is k / LEVELS, k in 1..LEVELS-1. */
const LEVELS = 10;

function intParam(key: string, v: string, min: number, max: number, spec: string): number {
  const x = /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(x) || x < min || x > max) {
    throw new InputError(`dataset spec '${spec}': ${key} must be an integer in ${min}..${max}, got '${v}'`);
  }
  return x;
}

/** Parses the text after `synthetic:` (`key=value` pairs joined by commas, any order, each at most once); empty = the defaults. */
export function parseSyntheticSpec(arg: string): SyntheticSpec {
  const spec = `synthetic:${arg}`;
  const out: SyntheticSpec = { ...SYNTHETIC_DEFAULTS };
  const seen = new Set<string>();
  for (const part of arg.trim() ? arg.split(',') : []) {
    const m = /^\s*([a-z]+)\s*=\s*(\S+?)\s*$/i.exec(part);
    if (!m) throw new InputError(`dataset spec '${spec}': expected key=value pairs separated by commas (${KEYS.join(', ')}), got '${part}'`);
    const key = m[1].toLowerCase();
    const v = m[2];
    if (!(KEYS as readonly string[]).includes(key)) throw new InputError(`dataset spec '${spec}': unknown parameter '${m[1]}' (known: ${KEYS.join(', ')})`);
    if (seen.has(key)) throw new InputError(`dataset spec '${spec}': ${key} is given twice`);
    seen.add(key);
    if (key === 'n') out.n = intParam(key, v, 2, MAX_N, spec);
    else if (key === 'features') out.features = intParam(key, v, 1, MAX_FEATURES, spec);
    else if (key === 'classes') out.classes = intParam(key, v, 2, MAX_CLASSES, spec);
    else if (key === 'seed') out.seed = intParam(key, v, 0, Number.MAX_SAFE_INTEGER, spec);
    else {
      const x = /^(\d+(\.\d*)?|\.\d+)(e-?\d+)?$/i.test(v) ? Number(v) : NaN;
      if (!(x >= 0 && x < 1)) throw new InputError(`dataset spec '${spec}': noise must be a number in [0, 1), got '${v}'`);
      out.noise = x;
    }
  }
  if (out.n < out.classes) throw new InputError(`dataset spec '${spec}': n (${out.n}) must be at least classes (${out.classes})`);
  if (out.n * out.features > MAX_VALUES) {
    throw new InputError(`dataset spec '${spec}': n * features = ${out.n * out.features} values, at most ${MAX_VALUES}`);
  }
  return out;
}

/** The canonical spec string of `s` (every parameter, fixed order): the dataset's name. */
export function syntheticName(s: SyntheticSpec): string {
  return `synthetic:${KEYS.map((k) => `${k}=${s[k]}`).join(',')}`;
}

/**
 * Generates the dataset of `s`. Each class has a prototype: per feature a probability k/10 (k uniform in 1..9).
 * Row i draws its class uniformly, each feature as a Bernoulli of its class's prototype, and with probability
 * `noise` takes a label drawn uniformly from the other classes. `sha256` covers the features (one byte each)
 * and the labels (int32 little-endian), so it is the same on every machine.
 */
export function syntheticDataset(s: SyntheticSpec): Dataset {
  const { n, features: d, classes: k } = s;
  const proto = new Uint8Array(k * d);
  const pr = Rng.derive(s.seed, 'synthetic', 'prototypes');
  for (let i = 0; i < proto.length; i++) proto[i] = 1 + pr.int(LEVELS - 1);
  const rows = Rng.derive(s.seed, 'synthetic', 'rows');
  const flips = Rng.derive(s.seed, 'synthetic', 'noise');
  const bits = new Uint8Array(n * d);
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  const labels = Buffer.alloc(4 * n);
  for (let r = 0; r < n; r++) {
    const c = rows.int(k);
    const p = c * d;
    for (let j = 0; j < d; j++) {
      const b = rows.int(LEVELS) < proto[p + j] ? 1 : 0;
      bits[r * d + j] = b;
      x[r * d + j] = b;
    }
    const flip = flips.uniform() < s.noise;
    const label = flip ? (c + 1 + flips.int(k - 1)) % k : c;
    y[r] = label;
    labels.writeInt32LE(label, 4 * r);
  }
  const name = syntheticName(s);
  return {
    name,
    shape: [d],
    classes: k,
    train: { x, y, n },
    source: `generated (${name})`,
    sha256: createHash('sha256').update(bits).update(labels).digest('hex'),
  };
}
