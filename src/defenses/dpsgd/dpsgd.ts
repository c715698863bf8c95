// DP-SGD (Abadi et al. 2016; Opacus semantics, shared/SPECS.md): per-sample gradients, flat clipping over
// all trainable coordinates jointly, Gaussian noise N(0, (sigma C)^2) per coordinate, division by the
// expected batch size, Poisson-sampled batches and an RDP privacy accountant. Plugs into the ordinary
// training loop as its gradient step (so SGD, Adam and CWRF's gradient masks work unchanged).
import { call, crossEntropy, Generator, keep, noGrad, tidy, type Tensor } from '../../engine/index.ts';
import type { Module } from '../../nn/index.ts';
import type { DataContext } from '../../train/data.ts';
import type { GradientStep } from '../../train/loop.ts';
import type { DpSpec, Recipe } from '../../train/recipe.ts';
import { checkNumber, isRecord } from '../../util/check.ts';
import { OBJECTIVES } from '../../train/objectives/index.ts';
import type { LoopHooks } from '../../train/train.ts';
import { InputError } from '../../util/errors.ts';
import { Rng } from '../../util/rng.ts';
import { epsilon, noiseForEpsilon } from './accountant.ts';
import { addClippedGradientSum, rejectBatchNorm } from './persample.ts';

/** DP-SGD settings as recorded (a stage's `dp`), checked: clipping norm and delta in range, a noise multiplier or a target epsilon. */
export function readDpSpec(v: unknown): DpSpec {
  if (!isRecord(v)) throw new InputError(`DP-SGD settings must be {maxGradNorm, noiseMultiplier | targetEpsilon, delta}, got ${JSON.stringify(v)}`);
  const dp: DpSpec = {
    maxGradNorm: checkNumber(v.maxGradNorm, 'max grad norm', { min: 0 }),
    ...(v.noiseMultiplier !== undefined ? { noiseMultiplier: checkNumber(v.noiseMultiplier, 'noise multiplier', { min: 0 }) } : {}),
    ...(v.targetEpsilon !== undefined ? { targetEpsilon: checkNumber(v.targetEpsilon, 'target epsilon', { min: 0 }) } : {}),
    delta: checkNumber(v.delta, 'delta', { min: 0, max: 1 }),
  };
  if (dp.noiseMultiplier === undefined && dp.targetEpsilon === undefined) throw new InputError('DP-SGD needs --noise-multiplier or --target-epsilon');
  return dp;
}

/** The per-example loss DP-SGD clips: cross-entropy, optionally with label smoothing. */
export type DpLoss = 'ce' | { labelSmoothing: number };

export interface DpStepOptions {
  /** Clipping bound C on each example's gradient norm (all trainable coordinates jointly). */
  maxGradNorm: number;
  /** sigma: the noise added to the clipped sum has standard deviation sigma * C per coordinate. */
  noiseMultiplier: number;
  /** The clipped, noised sum is divided by this (q * N under Poisson sampling). */
  expectedBatchSize: number;
  /** Generator of the noise. */
  gen: Generator;
  /** 0/1 masks by parameter name (CWRF): mask-0 coordinates get neither gradient nor noise, nor count in norms. */
  masks?: Map<string, Tensor>;
  loss?: DpLoss;
}

/**
 * A gradient step for `fit` doing DP-SGD: leaves (sum_i clip(g_i) + N(0, (sigma C)^2 I)) / expectedBatchSize
 * in every trainable parameter's .grad (times its mask, where one is given). Rejects BatchNorm models.
 * Each .grad is a buffer owned by the step and overwritten by its next call (read it before then, as an
 * optimizer step does). Noise is drawn from `gen` parameter by parameter in namedParameters order.
 */
export function dpGradientStep(opts: DpStepOptions): GradientStep {
  const { maxGradNorm: C, noiseMultiplier: sigma, expectedBatchSize, gen, masks } = opts;
  if (!(C > 0)) throw new InputError(`max grad norm must be > 0, got ${C}`);
  if (!(sigma >= 0)) throw new InputError(`noise multiplier must be >= 0, got ${sigma}`);
  if (!(expectedBatchSize > 0)) throw new InputError(`expected batch size must be > 0, got ${expectedBatchSize}`);
  const smoothing = opts.loss && opts.loss !== 'ce' ? opts.loss.labelSmoothing : 0;
  const checked = new WeakSet<Module>();
  // Per-parameter gradient buffers, refilled in place each step (noise first, then the clipped sum is added
  // by addmm_), so a step allocates no parameter-sized tensors; and the masks in each parameter's dtype.
  const gradBufs = new WeakMap<Tensor, Tensor>();
  let typedMasks: Map<string, Tensor> | undefined;
  const std = (sigma * C) / expectedBatchSize;
  const noiseInto = (p: Tensor): Tensor => {
    let buf = gradBufs.get(p);
    if (!buf || buf.disposed) gradBufs.set(p, (buf = keep(call<Tensor>('aten::empty.memory_format', [p.shape], { dtype: p.dtype }))));
    if (sigma > 0) call('aten::normal_', [buf, 0, std], { generator: gen });
    else buf.zero_();
    return buf;
  };
  return (model, x, y) => {
    if (!checked.has(model)) {
      rejectBatchNorm(model);
      checked.add(model);
    }
    const params = new Map(model.namedParameters());
    if (masks && !typedMasks) {
      typedMasks = new Map();
      for (const [name, m] of masks) {
        const p = params.get(name);
        if (!p) throw new InputError(`DP-SGD mask for unknown parameter '${name}'`);
        if (m.shape.join(',') !== p.shape.join(','))
          throw new InputError(`DP-SGD mask for '${name}' has shape [${m.shape}], parameter is [${p.shape}]`);
        typedMasks.set(name, m.dtype === p.dtype ? m : keep(m.to(p.dtype)));
      }
    }
    return tidy(() => {
      const lossFn = (logits: Tensor) => crossEntropy(logits, y, { reduction: 'none', labelSmoothing: smoothing });
      // grad = (N(0, (sigma C)^2 I) + sum_i c_i g_i) / E, with 1/E folded into the noise std and the factors.
      const filled: [string, Tensor][] = [];
      const fill = (name: string, p: Tensor): Tensor => {
        const buf = noiseInto(p);
        filled.push([name, buf]);
        return buf;
      };
      const r = addClippedGradientSum(model, x, lossFn, C, fill, { masks: typedMasks, scale: 1 / expectedBatchSize });
      noGrad(() => {
        for (const [name, buf] of filled) {
          const mask = typedMasks?.get(name);
          if (mask) buf.mul_(mask); // frozen coordinates: neither gradient nor noise
          params.get(name)!.grad = buf;
        }
      });
      return { loss: r.losses.mean().item(), logits: r.logits };
    });
  };
}

/** Poisson sampling: q = min(1, expectedBatchSize / n) and ceil(1/q) steps per epoch. */
export function dpSchedule(expectedBatchSize: number, n: number): { sampleRate: number; stepsPerEpoch: number } {
  if (n <= 0) return { sampleRate: 1, stepsPerEpoch: 0 };
  const sampleRate = Math.min(1, expectedBatchSize / n);
  return {
    sampleRate,
    stepsPerEpoch: Math.max(1, Math.ceil(n / expectedBatchSize - 1e-9)),
  };
}

/**
 * Poisson-sampled batches for `fit`: each epoch has ceil(n / expectedBatchSize) batches, each containing
 * every row 0..n-1 independently with probability q = expectedBatchSize / n (batches may be empty).
 */
export function poissonBatches(expectedBatchSize: number, rng: Rng): (n: number, epoch: number) => Int32Array[] {
  return (n) => {
    const { sampleRate: q, stepsPerEpoch } = dpSchedule(expectedBatchSize, n);
    const out: Int32Array[] = [];
    const logNot = Math.log1p(-q);
    for (let s = 0; s < stepsPerEpoch; s++) {
      if (q >= 1) {
        out.push(Int32Array.from({ length: n }, (_, i) => i));
        continue;
      }
      // Gaps between included rows of a Bernoulli(q) process are Geometric(q): O(q n) work per batch.
      const rows: number[] = [];
      for (let i = -1; ;) {
        i += 1 + Math.floor(Math.log1p(-rng.uniform()) / logNot);
        if (i >= n) break;
        rows.push(i);
      }
      out.push(Int32Array.from(rows));
    }
    return out;
  };
}

/** The noise multiplier of a run: dp.noiseMultiplier, or the smallest reaching dp.targetEpsilon over the recipe's epochs. */
export function dpNoiseFor(recipe: Pick<Recipe, 'batchSize' | 'epochs'>, dp: DpSpec, nMembers: number): number {
  if (dp.noiseMultiplier !== undefined) return dp.noiseMultiplier;
  if (dp.targetEpsilon === undefined) throw new InputError('DP-SGD needs --noise-multiplier or --target-epsilon');
  const { sampleRate, stepsPerEpoch } = dpSchedule(recipe.batchSize, nMembers);
  return noiseForEpsilon({
    targetEpsilon: dp.targetEpsilon,
    delta: dp.delta,
    sampleRate,
    steps: Math.max(1, stepsPerEpoch * recipe.epochs),
    epsTolerance: 0.01,
  });
}

function dpLoss(recipe: Recipe): DpLoss {
  const o = recipe.objective;
  const per = OBJECTIVES.get(o.name).perExample;
  if (!per) {
    const ok = OBJECTIVES.entries().filter((e) => e.perExample).map((e) => e.name);
    throw new InputError(`DP-SGD needs a per-example loss: objective '${o.name}' is not supported with DP-SGD (use ${ok.join(' or ')})`);
  }
  const { labelSmoothing } = per(o);
  return labelSmoothing === 0 ? 'ce' : { labelSmoothing };
}

/**
 * Loop hooks training with DP-SGD on the member rows: Poisson batches (seed: recipe.seed, 'dp-batches'),
 * the clipped and noised gradient step, and the privacy spent so far as `epsilon` after each epoch.
 */
export function dpHooks(
  recipe: Recipe,
  dp: DpSpec,
  data: { split: Pick<DataContext['split'], 'population'> },
  members: Uint8Array,
  opts: { masks?: Map<string, Tensor>; label?: string } = {},
): LoopHooks {
  if (members.length !== data.split.population.length)
    throw new InputError(`member mask has ${members.length} entries, the population has ${data.split.population.length}`);
  let nMembers = 0;
  for (let i = 0; i < members.length; i++) if (members[i]) nMembers++;
  if (nMembers === 0) throw new InputError('DP-SGD needs at least one member row');
  const sigma = dpNoiseFor(recipe, dp, nMembers);
  const { sampleRate, stepsPerEpoch } = dpSchedule(recipe.batchSize, nMembers);
  const label = opts.label ? [opts.label] : [];
  const noise = new Generator(Rng.deriveSeed(recipe.seed, 'dp-noise', ...label));
  const sampling = Rng.derive(recipe.seed, 'dp-batches', ...label);
  return {
    gradientStep: dpGradientStep({
      maxGradNorm: dp.maxGradNorm,
      noiseMultiplier: sigma,
      expectedBatchSize: sampleRate * nMembers,
      gen: noise,
      loss: dpLoss(recipe),
      masks: opts.masks,
    }),
    batches: poissonBatches(recipe.batchSize, sampling),
    streams: { generators: { 'dp-noise': noise }, rngs: { 'dp-batches': sampling } },
    epochExtras: (epoch) => ({
      epsilon: epsilon(sampleRate, sigma, stepsPerEpoch * (epoch + 1), dp.delta),
      noiseMultiplier: sigma,
    }),
  };
}
