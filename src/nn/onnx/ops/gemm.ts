// Gemm and MatMul.
import { call, type Tensor } from '../../../engine/index.ts';
import { register } from '../registry.ts';
import { attrFloat, attrInt, need } from './util.ts';

register('Gemm', (node) => {
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const transA = attrInt(node, 'transA', 0) === 1;
  const transB = attrInt(node, 'transB', 0) === 1;
  return (ins) => {
    const a = need(node, ins, 0);
    const b = need(node, ins, 1);
    const c = ins[2] ?? null;
    if (!transA && transB && alpha === 1 && (beta === 1 || c === null)) return [call('aten::linear', [a, b, c])];
    const at = transA ? a.t() : a;
    const bt = transB ? b.t() : b;
    let y: Tensor = at.matmul(bt);
    if (alpha !== 1) y = y.mul(alpha);
    if (c) y = beta === 1 ? y.add(c) : y.add(c, beta);
    return [y];
  };
});

register('MatMul', (node) => (ins) => [need(node, ins, 0).matmul(need(node, ins, 1))]);
