// LayerNorm over the last dimension (torch.nn.LayerNorm(dim)), weight 1 and bias 0 at init.
import { call, ones, zeros, type Tensor } from '../engine/index.ts';
import { captured } from './capture.ts';
import { Module } from './module.ts';
import { defaultDtype } from './dtype.ts';

export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(readonly dim: number, readonly eps = 1e-5) {
    super();
    this.weight = this.param('weight', ones([dim], defaultDtype()));
    this.bias = this.param('bias', zeros([dim], defaultDtype()));
  }
  forward(x: Tensor): Tensor {
    return captured(this, x, call('aten::layer_norm', [x, [this.dim], this.weight, this.bias, this.eps, false]));
  }
}
