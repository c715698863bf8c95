// Test helper: an objective's gradient with respect to float64 logits against central finite differences.
import assert from 'node:assert/strict';
import { tensor, type Tensor } from '../../engine/index.ts';

/** Asserts that d loss / d logits from autograd matches central differences (step h) within `tol` (relative). */
export function checkGradient(loss: (logits: Tensor, y: Tensor) => Tensor, z: number[], shape: [number, number], labels: number[], h = 1e-6, tol = 1e-6): void {
  const y = tensor(BigInt64Array.from(labels, BigInt), [labels.length], 'int64');
  const x = tensor(Float64Array.from(z), shape, 'float64');
  x.requiresGrad = true;
  const l = loss(x, y);
  assert.equal(l.dtype, 'float64');
  l.backward();
  const g = x.grad!.data() as Float64Array;
  const at = (v: Float64Array) => loss(tensor(v, shape, 'float64'), y).item();
  for (let k = 0; k < z.length; k++) {
    const up = Float64Array.from(z);
    const dn = Float64Array.from(z);
    up[k] += h;
    dn[k] -= h;
    const fd = (at(up) - at(dn)) / (2 * h);
    assert.ok(Math.abs(g[k] - fd) <= tol * Math.max(1e-3, Math.abs(fd)), `d/dz[${k}]: autograd ${g[k]}, finite difference ${fd}`);
  }
}
