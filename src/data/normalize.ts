// Per-channel normalisation of image data: mean/std computed on the audit population, or given.
import { InputError } from '../util/errors.ts';
import type { Dataset } from './types.ts';

/** Per-channel mean and std (x - mean) / std, as torchvision's Normalize. */
export interface NormalizeSpec {
  mean: number[];
  std: number[];
}

/** Mean and (population, ddof 0) std of every channel over the given train rows of an image dataset. */
export function channelStats(ds: Dataset, rows: ArrayLike<number>): NormalizeSpec {
  if (ds.shape.length !== 3) throw new InputError(`--normalize needs image data [C,H,W], this dataset's examples are [${ds.shape}]`);
  if (rows.length === 0) throw new InputError('--normalize population: the population is empty');
  const [c, h, w] = ds.shape;
  const hw = h * w;
  const per = c * hw;
  const x = ds.train.x;
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  for (let r = 0; r < rows.length; r++) {
    const off = rows[r] * per;
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      let q = 0;
      const o = off + ch * hw;
      for (let k = 0; k < hw; k++) {
        const v = x[o + k];
        s += v;
        q += v * v;
      }
      sum[ch] += s;
      sq[ch] += q;
    }
  }
  const n = rows.length * hw;
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sq, (q, ch) => Math.sqrt(Math.max(0, q / n - mean[ch] ** 2)));
  if (std.some((s) => !(s > 0))) throw new InputError('--normalize population: a channel is constant over the population (std 0); give --normalize MEAN/STD');
  return { mean: mean.map(round6), std: std.map(round6) };
}

function round6(v: number): number {
  return Number(v.toPrecision(6));
}

/** Parses `--normalize`: 'population', 'none' (null) or 'm1,m2,m3/s1,s2,s3'. */
export function parseNormalize(text: string): NormalizeSpec | 'population' | null {
  const t = text.trim();
  if (t === 'none') return null;
  if (t === 'population') return 'population';
  const m = /^([^/]+)\/([^/]+)$/.exec(t);
  const nums = (s: string) => s.split(',').map((v) => Number(v.trim()));
  const spec = m ? { mean: nums(m[1]), std: nums(m[2]) } : null;
  if (!spec || spec.mean.length !== spec.std.length || ![...spec.mean, ...spec.std].every(Number.isFinite) || spec.std.some((s) => s <= 0))
    throw new InputError(`--normalize must be population, none or MEAN/STD per channel (e.g. 0.49,0.48,0.45/0.25,0.24,0.26), got '${text}'`);
  return spec;
}

/** Checks that a normalisation has one mean and std per channel of `shape`. */
export function checkNormalize(spec: NormalizeSpec, shape: number[]): void {
  if (shape.length !== 3) throw new InputError(`--normalize needs image data [C,H,W], this dataset's examples are [${shape}]`);
  if (spec.mean.length !== shape[0] || spec.std.length !== shape[0])
    throw new InputError(`--normalize gives ${spec.mean.length} means and ${spec.std.length} stds for images with ${shape[0]} channels`);
}
