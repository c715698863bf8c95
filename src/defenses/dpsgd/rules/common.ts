// What every per-sample rule shares: the trace of a layer use, per-sample gradient layouts and their
// reductions (norms, weighted sums), and the rule type the registry holds.
import { call, type Tensor } from '../../../engine/index.ts';
import type { Module } from '../../../nn/index.ts';
import type { Entry } from '../../../util/options.ts';

export type ConvMethod = 'grouped' | 'unfold';

/** The own parameter names a rule covers when it does not list them. */
export const WEIGHT_BIAS: readonly string[] = ['weight', 'bias'];

/** A supported layer with its trainable parameters (full names) in the model. */
export interface LayerParams {
  layer: Module;
  path: string;
  weight: [string, Tensor] | null;
  bias: [string, Tensor] | null;
  /** Every trainable parameter the layer owns directly, in registration order: local name, full name, tensor. */
  own: { local: string; name: string; t: Tensor }[];
}

/** One use of a layer in the forward pass. */
export interface Trace {
  lp: LayerParams;
  /** The layer's input (detached). */
  a: Tensor;
  /** Gradient of the summed per-example losses with respect to the layer's output. */
  b: Tensor;
}

/**
 * Per-sample gradients of one parameter: `t` is [B, ...paramShape] ('batch-first'), or for Conv2d weights from
 * the grouped convolution [C_in, B, C_out, k, k] ('conv-cbo', left in the layout the convolution writes, so
 * no copy of B times the parameter is made for norms and sums).
 */
export interface PerSample {
  t: Tensor;
  layout: 'batch-first' | 'conv-cbo';
}

/** The [B, ...paramShape] tensor of a per-sample gradient (a copy for 'conv-cbo'). */
export function batchFirst(ps: PerSample): Tensor {
  return ps.layout === 'batch-first' ? ps.t : ps.t.permute([1, 2, 0, 3, 4]).contiguous();
}

/** ||g_i * mask||^2 per example [B], one reduction pass (a masked copy only where a mask is given). */
export function psNormSq(ps: PerSample, mask: Tensor | null): Tensor {
  if (ps.layout === 'batch-first') return rowNormSq(mask ? ps.t.mul(mask) : ps.t);
  const t = mask ? ps.t.mul(mask.permute([1, 0, 2, 3]).unsqueeze(1)) : ps.t;
  return call<Tensor>('aten::linalg_vector_norm', [t, 2, [0, 2, 3, 4], false]).square();
}

/** out += sum_i w_i g_i (out contiguous, shaped like the parameter). */
export function psAddWeighted(out: Tensor, ps: PerSample, w: Tensor): void {
  const n = w.shape[0];
  if (ps.layout === 'batch-first') {
    call('aten::addmm_', [out.view([1, -1]), w.unsqueeze(0), ps.t.reshape([n, -1])]);
    return;
  }
  const [c, , o, k] = ps.t.shape;
  // [1, 1, B] x [C, B, O*k*k] -> [C, 1, O*k*k]: one batched matmul over the layout as written.
  const r = w.view([1, 1, n]).matmul(ps.t.reshape([c, n, -1]));
  out.add_(r.view([c, o, k, k]).permute([1, 0, 2, 3]));
}

export const bmm = (a: Tensor, b: Tensor): Tensor => call('aten::bmm', [a, b]);

export function sumDims(t: Tensor, from: number): Tensor {
  const dims: number[] = [];
  for (let d = from; d < t.shape.length; d++) dims.push(d);
  return dims.length ? t.sum(dims) : t;
}

export function maskFor(masks: Map<string, Tensor> | undefined, name: string, like: Tensor): Tensor | null {
  const m = masks?.get(name);
  if (!m) return null;
  return m.dtype === like.dtype ? m : m.to(like.dtype);
}

/** ||x_i||^2 per row of a [B, ...] tensor, in one pass (no temporary of x's size). */
export function rowNormSq(x: Tensor): Tensor {
  return call<Tensor>('aten::linalg_vector_norm', [x.reshape([x.shape[0], -1]), 2, [1], false]).square();
}

/** How one layer contributes: squared per-sample norms, and the c-weighted sum of its per-sample gradients. */
export interface LayerGrads {
  names: [string, Tensor][];
  sq(masks?: Map<string, Tensor>): Tensor;
  /** outs[k] += sum_i w_i g_i for each of the layer's parameters (outs[k] contiguous, shaped like the parameter). */
  addClippedSum(w: Tensor, outs: Tensor[]): void;
}

/** The per-sample gradient rule of one layer class (Opacus' grad samplers), registered in ./index.ts. */
export interface PerSampleRule extends Entry {
  /** The layer class the rule handles (exact class, or a base class of it). */
  layer: abstract new (...args: never[]) => Module;
  /** The layer's own parameter names the rule covers (default: weight, bias). */
  params?: readonly string[];
  /** Per-sample gradients of one use of the layer, by the layer's own parameter name (null: not trainable). */
  materialize(t: Trace, conv: ConvMethod): Partial<Record<string, PerSample | null>>;
  /** Norms and clipped sums without materialising per-sample gradients, where the use allows (else null). */
  ghost?(t: Trace): LayerGrads | null;
}
