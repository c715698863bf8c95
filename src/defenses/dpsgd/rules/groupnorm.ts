// GroupNorm: y = xhat * w + bias per channel; weight: sum over positions of b_i * xhat_i (xhat recomputed
// from a_i), bias: sum of b_i.
import { groupNorm } from '../../../engine/index.ts';
import { GroupNorm } from '../../../nn/index.ts';
import { sumDims, type PerSampleRule } from './common.ts';

export const groupNormRule: PerSampleRule = {
  name: 'GroupNorm',
  description: 'normalised inputs times output gradients, summed over positions',
  layer: GroupNorm,
  materialize({ lp, a, b }) {
    const L = lp.layer as GroupNorm;
    const weight = lp.weight ? sumDims(b.mul(groupNorm(a, L.groups, null, null, L.eps)), 2) : null;
    return { weight: weight && { t: weight, layout: 'batch-first' }, bias: lp.bias && { t: sumDims(b, 2), layout: 'batch-first' } };
  },
};
