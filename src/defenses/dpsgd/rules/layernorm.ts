// LayerNorm: y = xhat * w + bias over the last dim; weight: b_i * xhat_i summed over the other non-batch dims
// (tokens), xhat recomputed from a_i; bias: b_i summed the same way.
import { call, type Tensor } from '../../../engine/index.ts';
import { LayerNorm } from '../../../nn/index.ts';
import type { PerSampleRule } from './common.ts';

export const layerNormRule: PerSampleRule = {
  name: 'LayerNorm',
  description: 'normalised inputs times output gradients, summed over tokens',
  layer: LayerNorm,
  materialize({ lp, a, b }) {
    const L = lp.layer as LayerNorm;
    const n = a.shape[0];
    const mid = (t: Tensor) => (t.shape.length > 2 ? t.reshape([n, -1, L.dim]).sum(1) : t);
    const xhat: Tensor = call('aten::layer_norm', [a, [L.dim], null, null, L.eps, false]);
    return { weight: lp.weight && { t: mid(b.mul(xhat)), layout: 'batch-first' }, bias: lp.bias && { t: mid(b), layout: 'batch-first' } };
  },
};
