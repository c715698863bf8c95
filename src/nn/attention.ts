// Multi-head self-attention with a fused qkv projection (timm's Attention: attn.qkv, attn.proj).
import { call, tidy, type Generator, type Tensor } from '../engine/index.ts';
import { Linear } from './layers.ts';
import { Module } from './module.ts';

export class MultiheadSelfAttention extends Module {
  readonly qkv: Linear;
  readonly proj: Linear;
  readonly headDim: number;
  constructor(readonly dim: number, readonly heads: number, gen: Generator) {
    super();
    if (dim % heads !== 0) throw new RangeError(`attention width ${dim} is not divisible by ${heads} heads`);
    this.headDim = dim / heads;
    this.kindScope = 'attention';
    this.qkv = this.child('qkv', new Linear(dim, 3 * dim, gen));
    this.proj = this.child('proj', new Linear(dim, dim, gen));
  }
  /** x: [N, T, D] -> [N, T, D]. */
  forward(x: Tensor): Tensor {
    const [n, t, d] = x.shape;
    const qkv = this.qkv.forward(x);
    // The attention's intermediates are freed here, not at the step's end (autograd keeps what it saved), as
    // PyTorch frees them: a lower peak and reused memory. Nothing in this scope is a captured layer.
    const o = tidy(() => {
      // unbind, as PyTorch's `q, k, v = qkv`: its backward stacks the three gradients, where three selects' each
      // zero-filled a qkv-sized gradient and summed them (4% of a vit-tiny step; the same bytes)
      const [q, k, v] = call<Tensor[]>('aten::unbind.int', [qkv.view([n, t, 3, this.heads, this.headDim]).permute([2, 0, 3, 1, 4]), 0]);
      return q.matmul(k.transpose(2, 3)).mul(1 / Math.sqrt(this.headDim)).softmax(3).matmul(v).transpose(1, 2).reshape([n, t, d]);
    });
    const out = this.proj.forward(o);
    o.dispose();
    return out;
  }
}
