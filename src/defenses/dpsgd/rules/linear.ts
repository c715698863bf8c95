// Linear: g_i = sum_t b_{i,t} a_{i,t}^T, bias sum_t b_{i,t}; ghost norms on 2-D inputs:
// ||g_i||^2 = ||a_i||^2 ||b_i||^2 (with a 0/1 mask M: (b_i^2)^T M (a_i^2)), clipped sum (c * b)^T a.
import { call, type Tensor } from '../../../engine/index.ts';
import { Linear } from '../../../nn/index.ts';
import { bmm, maskFor, rowNormSq, type LayerGrads, type PerSample, type PerSampleRule, type Trace } from './common.ts';

function ghostLinear(t: Trace): LayerGrads {
  const { lp, a, b } = t;
  const names = [lp.weight, lp.bias].filter((e): e is [string, Tensor] => e !== null);
  return {
    names,
    sq(masks) {
      const M = lp.weight && maskFor(masks, lp.weight[0], a);
      const m = lp.bias && maskFor(masks, lp.bias[0], b);
      const b2 = M || m ? b.square() : null;
      const bn = !M || !m ? rowNormSq(b) : null;
      let s: Tensor | null = null;
      if (lp.weight) s = M ? b2!.matmul(M).mul(a.square()).sum(1) : rowNormSq(a).mul(bn!);
      if (lp.bias) {
        const sb = m ? b2!.mul(m).sum(1) : bn!;
        s = s ? s.add(sb) : sb;
      }
      return s!;
    },
    addClippedSum(w, outs) {
      const cb = b.mul(w.unsqueeze(1));
      let k = 0;
      if (lp.weight) call('aten::addmm_', [outs[k++], cb.t(), a]); // written in place: no fresh weight-sized buffer
      if (lp.bias) outs[k].add_(cb.sum(0));
    },
  };
}

export const linearRule: PerSampleRule = {
  name: 'Linear',
  description: 'outer products of output gradients and inputs; ghost norms on 2-D inputs',
  layer: Linear,
  materialize({ lp, a, b }) {
    const bf = (x: Tensor | null): PerSample | null => x && { t: x, layout: 'batch-first' };
    const n = a.shape[0];
    const L = lp.layer as Linear;
    if (a.shape.length === 2) return { weight: bf(lp.weight && bmm(b.unsqueeze(2), a.unsqueeze(1))), bias: bf(lp.bias && b) };
    const A = a.reshape([n, -1, L.inFeatures]);
    const Bm = b.reshape([n, -1, L.outFeatures]);
    return { weight: bf(lp.weight && bmm(Bm.transpose(1, 2), A)), bias: bf(lp.bias && Bm.sum(1)) };
  },
  ghost: (t) => (t.a.shape.length === 2 ? ghostLinear(t) : null),
};
