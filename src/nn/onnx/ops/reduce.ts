// ReduceMean, ReduceSum, ReduceMax, ReduceMin (axes as an attribute in older opsets, as an input in newer).
import { call, type Tensor } from '../../../engine/index.ts';
import { register } from '../registry.ts';
import { attrInt, attrInts, axis, intsOf, need } from './util.ts';

function reduce(op: string, axesInputSince: number, f: (x: Tensor, dims: number[], keep: boolean) => Tensor): void {
  const convert = (fromInput: boolean) =>
    ((node) => {
      const keep = attrInt(node, 'keepdims', 1) === 1;
      const noopEmpty = attrInt(node, 'noop_with_empty_axes', 0) === 1;
      const attrAxes = attrInts(node, 'axes');
      return (ins) => {
        const x = need(node, ins, 0);
        const given = fromInput ? (ins[1] ? intsOf(ins[1]) : undefined) : attrAxes;
        if ((!given || given.length === 0) && noopEmpty) return [x];
        const dims = given && given.length ? given.map((a) => axis(node, a, x.shape.length)) : x.shape.map((_, i) => i);
        return [f(x, dims, keep)];
      };
    }) as Parameters<typeof register>[1];
  register(op, convert(false), { until: axesInputSince - 1 });
  register(op, convert(true), { since: axesInputSince });
}
reduce('ReduceMean', 18, (x, d, k) => x.mean(d, k));
reduce('ReduceSum', 13, (x, d, k) => x.sum(d, k));
reduce('ReduceMax', 18, (x, d, k) => call('aten::amax', [x, d, k]));
reduce('ReduceMin', 18, (x, d, k) => call('aten::amin', [x, d, k]));
