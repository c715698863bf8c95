// Conv2d: g_i = B_i U_i^T (U_i = im2col(a_i)), computed by default as one grouped convolution; bias: sum
// over positions of B_i.
import { call, unfold, type Tensor } from '../../../engine/index.ts';
import { Conv2d } from '../../../nn/index.ts';
import { bmm, sumDims, type PerSample, type PerSampleRule } from './common.ts';

/** Conv2d per-sample weight gradients by im2col: g_i = B_i U_i^T, U_i = unfold(a_i) [C*k*k, L]. */
function convUnfold(L: Conv2d, a: Tensor, b: Tensor): Tensor {
  const n = a.shape[0];
  const U = unfold(a, L.kernel, L.opts.padding ?? 0, L.opts.stride ?? 1); // [B, C*k*k, L]
  return bmm(b.reshape([n, L.outChannels, -1]), U.transpose(1, 2)).reshape([n, L.outChannels, L.inChannels, L.kernel, L.kernel]);
}

/**
 * The same g_i = B_i U_i^T as one grouped convolution (no im2col buffer): the batch becomes the groups,
 * a's channels the batch, and each B_i[o] the kernel, dilated by the stride:
 * g_i[o, c, u, v] = sum_{h,w} b_i[o, h, w] a_i[c, s h + u - p, s w + v - p].
 */
function convGrouped(L: Conv2d, a: Tensor, b: Tensor): Tensor {
  const [n, , ho, wo] = b.shape;
  const { kernel: k, inChannels: c, outChannels: o } = L;
  const s = L.opts.stride ?? 1;
  let g = call<Tensor>('aten::conv2d', [a.transpose(0, 1), b.reshape([n * o, 1, ho, wo]), null, 1, L.opts.padding ?? 0, s, n]);
  // [C, B*O, k', k'] with k' >= k (k' > k when the stride does not divide the padded extent).
  if (g.shape[2] !== k || g.shape[3] !== k) g = g.narrow(2, 0, k).narrow(3, 0, k).contiguous();
  return g.view([c, n, o, k, k]);
}

export const conv2dRule: PerSampleRule = {
  name: 'Conv2d',
  description: 'grouped convolution of inputs by output gradients (or im2col + bmm)',
  layer: Conv2d,
  materialize({ lp, a, b }, conv) {
    const L = lp.layer as Conv2d;
    let weight: PerSample | null = null;
    if (lp.weight)
      weight = conv === 'unfold' ? { t: convUnfold(L, a, b), layout: 'batch-first' } : { t: convGrouped(L, a, b), layout: 'conv-cbo' };
    return { weight, bias: lp.bias && { t: sumDims(b, 2), layout: 'batch-first' } };
  },
};
