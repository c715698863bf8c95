// Tensor creation, neural-network functional ops, autograd entry points and runtime settings.
import { native, type DType, type TypedArray } from './native.ts';
import { call, Generator, Tensor, type Shape } from './tensor.ts';

// ---- creation

/** A new tensor holding a copy of `data` (dtype defaults to the array's own type). */
export function tensor(data: TypedArray | number[], shape?: Shape, dtype?: DType): Tensor {
  const arr = Array.isArray(data) ? Float32Array.from(data) : data;
  return native.fromArray(arr, shape ?? [arr.length], dtype) as Tensor;
}
export function scalar(v: number, dtype: DType = 'float32'): Tensor {
  return call('aten::scalar_tensor', [v], { dtype });
}
export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
  return call('aten::zeros', [shape], { dtype });
}
export function ones(shape: Shape, dtype: DType = 'float32'): Tensor {
  return call('aten::ones', [shape], { dtype });
}
export function full(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  return call('aten::full', [shape, value], { dtype });
}
export function zerosLike(t: Tensor): Tensor {
  return call('aten::zeros_like', [t]);
}
export function onesLike(t: Tensor): Tensor {
  return call('aten::ones_like', [t]);
}
export function arange(end: number, dtype: DType = 'int64'): Tensor {
  return call('aten::arange', [end], { dtype });
}
/** Uniform samples in [low, high). */
export function rand(shape: Shape, gen: Generator, low = 0, high = 1, dtype: DType = 'float32'): Tensor {
  const t = call<Tensor>('aten::empty.memory_format', [shape], { dtype });
  call('aten::uniform_', [t, low, high], { generator: gen });
  return t;
}
/** Normal samples with the given mean and std. */
export function randn(shape: Shape, gen: Generator, mean = 0, std = 1, dtype: DType = 'float32'): Tensor {
  const t = call<Tensor>('aten::empty.memory_format', [shape], { dtype });
  call('aten::normal_', [t, mean, std], { generator: gen });
  return t;
}
/** Integers in [low, high). */
export function randint(low: number, high: number, shape: Shape, gen: Generator): Tensor {
  return call('aten::randint.low_generator', [low, high, shape, gen], { dtype: 'int64' });
}
export function randperm(n: number, gen: Generator): Tensor {
  return call('aten::randperm.generator', [n, gen], { dtype: 'int64' });
}
/** Bernoulli(p) samples shaped like `like` (0/1 in its dtype). */
export function bernoulli(like: Tensor, p: number, gen: Generator): Tensor {
  const t = call<Tensor>('aten::empty_like', [like]);
  call('aten::bernoulli_.float', [t, p], { generator: gen });
  return t;
}
export function cat(ts: Tensor[], dim = 0): Tensor {
  return call('aten::cat', [ts, dim]);
}
export function stack(ts: Tensor[], dim = 0): Tensor {
  return call('aten::stack', [ts, dim]);
}
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  return call('aten::where.self', [cond, a, b]);
}

// ---- neural-network functions (torch.nn.functional)

export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  return call('aten::linear', [x, w, b ?? null]);
}
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null, stride = 1, padding = 0): Tensor {
  return call('aten::conv2d', [x, w, b, stride, padding, 1, 1]);
}
export function maxPool2d(x: Tensor, kernel: number, stride = kernel, padding = 0): Tensor {
  return call('aten::max_pool2d', [x, kernel, stride, padding]);
}
export function avgPool2d(x: Tensor, kernel: number, stride = kernel, padding = 0): Tensor {
  return call('aten::avg_pool2d', [x, kernel, stride, padding]);
}
export function adaptiveAvgPool2d(x: Tensor, size: number | [number, number]): Tensor {
  return call('aten::adaptive_avg_pool2d', [x, size]);
}
/** Batch normalisation; in training mode updates running stats in place. */
export function batchNorm(
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  training: boolean,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  return call('aten::batch_norm', [x, weight, bias, runningMean, runningVar, training, momentum, eps, false]);
}
export function groupNorm(x: Tensor, groups: number, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  return call('aten::group_norm', [x, groups, weight, bias, eps, false]);
}
/** Inverted dropout with an explicit generator (reproducible). */
export function dropout(x: Tensor, p: number, training: boolean, gen: Generator): Tensor {
  if (!training || p === 0) return x;
  const keep = bernoulli(x, 1 - p, gen);
  const out = x.mul(keep).div(1 - p);
  keep.dispose();
  return out;
}
export type Reduction = 'none' | 'mean' | 'sum';
const REDUCTION: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

/** Cross-entropy of logits against int64 class indices or soft target probabilities. */
export function crossEntropy(
  logits: Tensor,
  target: Tensor,
  opts: { labelSmoothing?: number; reduction?: Reduction } = {},
): Tensor {
  return call('aten::cross_entropy_loss', [logits, target, null, REDUCTION[opts.reduction ?? 'mean'], -100, opts.labelSmoothing ?? 0]);
}
/** KL(target || input) with `input` log-probabilities, as torch.nn.functional.kl_div. */
export function klDiv(
  inputLogProb: Tensor,
  target: Tensor,
  opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {},
): Tensor {
  const red = opts.reduction ?? 'batchmean';
  const r = call<Tensor>('aten::kl_div', [inputLogProb, target, REDUCTION[red === 'batchmean' ? 'sum' : red], opts.logTarget ?? false]);
  if (red !== 'batchmean') return r;
  const out = r.div(inputLogProb.shape[0]);
  r.dispose();
  return out;
}
export function mseLoss(a: Tensor, b: Tensor, reduction: Reduction = 'mean'): Tensor {
  return call('aten::mse_loss', [a, b, REDUCTION[reduction]]);
}
/** im2col: [N, C*k*k, L] patches of a [N, C, H, W] input. */
export function unfold(x: Tensor, kernel: number, padding = 0, stride = 1): Tensor {
  return call('aten::im2col', [x, [kernel, kernel], [1, 1], [padding, padding], [stride, stride]]);
}

// ---- autograd

/** Runs `fn` with gradient recording off. */
export function noGrad<T>(fn: () => T): T {
  const prev = native.setGradEnabled(false);
  try {
    return fn();
  } finally {
    native.setGradEnabled(prev);
  }
}
/** Gradients of `outputs` with respect to `inputs` (null where unused), like torch.autograd.grad. */
export function grad(
  outputs: Tensor[],
  inputs: Tensor[],
  opts: { gradOutputs?: Tensor[]; retainGraph?: boolean; createGraph?: boolean } = {},
): (Tensor | null)[] {
  return native.autogradGrad(outputs, inputs, opts.gradOutputs ?? null, opts.retainGraph ?? false, opts.createGraph ?? false) as (Tensor | null)[];
}

// ---- runtime

/** Sets libtorch's intra-op thread count for this process. */
export function setThreads(n: number): void {
  native.setNumThreads(n);
}
/** Flushes denormal floats to zero (as torch.set_flush_denormal); returns false where the CPU cannot. */
export function setFlushDenormal(on: boolean): boolean {
  return native.setFlushDenormal(on);
}
export function getThreads(): number {
  return native.getNumThreads();
}
export function cudaAvailable(): boolean {
  return native.cudaDeviceCount() > 0;
}
/** Number of native tensors currently alive (not disposed, not collected). */
export function liveTensors(): number {
  return native.liveTensors();
}

export const torchVersion = native.torchVersion;
