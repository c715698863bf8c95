// Test helpers for src/defenses/dpsgd (not public API): float64 models and per-example reference gradients.
import * as E from '../../engine/index.ts';
import type { Module } from '../../nn/index.ts';

/** Casts every parameter and buffer of `m` to float64 in place (as `p.data = p.data.double()`). */
export function toDouble<M extends Module>(m: M): M {
  for (const [, t] of m.stateTensors()) if (t.dtype === 'float32') E.call('aten::set_data', [t, t.detach().double()]);
  return m;
}

/** Reference: gradients of each example's loss by its own backward pass, name -> per-example flat arrays. */
export function loopGradients(model: Module, x: E.Tensor, y: E.Tensor, smoothing = 0): Map<string, Float64Array[]> {
  const named = model.namedParameters();
  const out = new Map<string, Float64Array[]>(named.map(([n]) => [n, []]));
  for (let i = 0; i < x.shape[0]; i++)
    E.tidy(() => {
      const loss = E.crossEntropy(model.forward(x.narrow(0, i, 1)), y.narrow(0, i, 1), { reduction: 'sum', labelSmoothing: smoothing });
      const gs = E.grad(
        [loss],
        named.map(([, p]) => p),
      );
      named.forEach(([n, p], k) => out.get(n)!.push(gs[k] ? gs[k]!.toFloat64() : new Float64Array(p.numel)));
    });
  return out;
}
