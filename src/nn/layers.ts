// Layers with PyTorch's default initialisations (kaiming-uniform with a = sqrt(5), fan-in bias bounds).
import {
  avgPool2d,
  batchNorm,
  conv2d,
  dropout,
  groupNorm,
  linear,
  maxPool2d,
  noGrad,
  ones,
  rand,
  zeros,
  adaptiveAvgPool2d,
  type Generator,
  type Tensor,
} from '../engine/index.ts';
import { captured } from './capture.ts';
import { Module } from './module.ts';
import { defaultDtype } from './dtype.ts';

/** U(-1/sqrt(fanIn), 1/sqrt(fanIn)): torch's default for Linear/Conv weights (kaiming a=sqrt(5)) and biases. */
function fanInUniform(shape: number[], fanIn: number, gen: Generator): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return rand(shape, gen, -bound, bound, defaultDtype());
}

/** Copies `values` into the parameter `t` (no autograd) and frees them. */
function fill(t: Tensor, values: Tensor): void {
  noGrad(() => t.copy_(values));
  values.dispose();
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, gen: Generator, bias = true) {
    super();
    this.weight = this.param('weight', zeros([outFeatures, inFeatures], defaultDtype()));
    this.bias = bias ? this.param('bias', zeros([outFeatures], defaultDtype())) : null;
    this.resetParameters(gen);
  }
  /** torch.nn.Linear's: weight, then bias, uniform in +-1/sqrt(in features). */
  override resetParameters(gen: Generator): void {
    fill(this.weight, fanInUniform(this.weight.shape, this.inFeatures, gen));
    if (this.bias) fill(this.bias, fanInUniform(this.bias.shape, this.inFeatures, gen));
  }
  forward(x: Tensor): Tensor {
    return captured(this, x, linear(x, this.weight, this.bias));
  }
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    gen: Generator,
    readonly opts: { stride?: number; padding?: number; bias?: boolean } = {},
  ) {
    super();
    this.weight = this.param('weight', zeros([outChannels, inChannels, kernel, kernel], defaultDtype()));
    this.bias = opts.bias === false ? null : this.param('bias', zeros([outChannels], defaultDtype()));
    this.resetParameters(gen);
  }
  /** torch.nn.Conv2d's: weight, then bias, uniform in +-1/sqrt(in channels x kernel area). */
  override resetParameters(gen: Generator): void {
    const fanIn = this.inChannels * this.kernel * this.kernel;
    fill(this.weight, fanInUniform(this.weight.shape, fanIn, gen));
    if (this.bias) fill(this.bias, fanInUniform(this.bias.shape, fanIn, gen));
  }
  forward(x: Tensor): Tensor {
    return captured(this, x, conv2d(x, this.weight, this.bias, this.opts.stride ?? 1, this.opts.padding ?? 0));
  }
}

/** BatchNorm over dim 1 (BatchNorm1d on [N, C], BatchNorm2d on [N, C, H, W]). */
export class BatchNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly numBatchesTracked: Tensor;
  constructor(readonly features: number, readonly momentum = 0.1, readonly eps = 1e-5) {
    super();
    this.weight = this.param('weight', ones([features], defaultDtype()));
    this.bias = this.param('bias', zeros([features], defaultDtype()));
    this.runningMean = this.buffer('running_mean', zeros([features], defaultDtype()));
    this.runningVar = this.buffer('running_var', ones([features], defaultDtype()));
    this.numBatchesTracked = this.buffer('num_batches_tracked', zeros([], 'int64'));
  }
  forward(x: Tensor): Tensor {
    if (this.training) this.numBatchesTracked.add_(1);
    return batchNorm(x, this.weight, this.bias, this.runningMean, this.runningVar, this.training, this.momentum, this.eps);
  }
}
export { BatchNorm as BatchNorm1d, BatchNorm as BatchNorm2d };

/** GroupNorm (per-example statistics: usable with DP-SGD, unlike BatchNorm). */
export class GroupNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(readonly groups: number, readonly channels: number, readonly eps = 1e-5) {
    super();
    this.weight = this.param('weight', ones([channels], defaultDtype()));
    this.bias = this.param('bias', zeros([channels], defaultDtype()));
  }
  forward(x: Tensor): Tensor {
    return captured(this, x, groupNorm(x, this.groups, this.weight, this.bias, this.eps));
  }
}

export class Dropout extends Module {
  constructor(readonly p: number, private readonly gen: Generator) {
    super();
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.gen);
  }
}

export type ActivationName = 'relu' | 'tanh' | 'gelu' | 'sigmoid';
export class Activation extends Module {
  constructor(readonly kind: ActivationName) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x[this.kind]();
  }
}

export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return x.flatten(1);
  }
}

export class MaxPool2d extends Module {
  constructor(readonly kernel: number, readonly stride = kernel) {
    super();
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernel, this.stride);
  }
}

export class AvgPool2d extends Module {
  constructor(readonly kernel: number, readonly stride = kernel) {
    super();
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernel, this.stride);
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly size: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.size);
  }
}

/** Runs its children in order; they are named "0", "1", ... as in torch.nn.Sequential. */
export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers.map((m, i) => this.child(String(i), m));
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.layers) {
      const next = m.forward(h);
      if (h !== x && next !== h) h.dispose();
      h = next;
    }
    return h;
  }
}
