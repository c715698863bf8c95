// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool.
import { call } from '../../../engine/index.ts';
import { register } from '../registry.ts';
import { padSpatial, spatialPads } from './conv.ts';
import { attrInt, attrInts, fail, need } from './util.ts';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

register('MaxPool', (node) => {
  if (node.outputs[1]) fail(node, 'the Indices output is not supported');
  const kernel = attrInts(node, 'kernel_shape');
  if (!kernel) fail(node, "attribute 'kernel_shape' is missing");
  const k = kernel.length;
  if (k < 1 || k > 3) fail(node, `${k}-D pooling is not supported`);
  const strides = attrInts(node, 'strides') ?? new Array(k).fill(1);
  const dilations = attrInts(node, 'dilations') ?? new Array(k).fill(1);
  const ceil = attrInt(node, 'ceil_mode', 0) === 1;
  return (ins) => {
    const x = need(node, ins, 0);
    if (x.shape.length !== k + 2) fail(node, `input [${x.shape}] is not ${k}-D`);
    const [begin, end] = spatialPads(node, x.shape.slice(2), kernel, strides, dilations);
    const symmetric = begin.every((b, i) => b === end[i]);
    const input = symmetric ? x : padSpatial(x, begin, end, -Infinity);
    const padding = symmetric ? begin : new Array(k).fill(0);
    return [call(`aten::max_pool${k}d`, [input, kernel, strides, padding, dilations, ceil])];
  };
});

register('AveragePool', (node) => {
  const kernel = attrInts(node, 'kernel_shape');
  if (!kernel) fail(node, "attribute 'kernel_shape' is missing");
  const k = kernel.length;
  if (k < 1 || k > 3) fail(node, `${k}-D pooling is not supported`);
  const strides = attrInts(node, 'strides') ?? new Array(k).fill(1);
  if (attrInts(node, 'dilations')?.some((d) => d !== 1)) fail(node, 'dilated average pooling is not supported');
  const ceil = attrInt(node, 'ceil_mode', 0) === 1;
  const countPad = attrInt(node, 'count_include_pad', 0) === 1;
  return (ins) => {
    const x = need(node, ins, 0);
    if (x.shape.length !== k + 2) fail(node, `input [${x.shape}] is not ${k}-D`);
    const [begin, end] = spatialPads(node, x.shape.slice(2), kernel, strides, new Array(k).fill(1));
    const symmetric = begin.every((b, i) => b === end[i]);
    if (!symmetric && !countPad) fail(node, 'asymmetric padding without count_include_pad is not supported');
    const input = symmetric ? x : padSpatial(x, begin, end, 0);
    const padding = symmetric ? begin : new Array(k).fill(0);
    const args = k === 1 ? [input, kernel, strides, padding, ceil, countPad] : [input, kernel, strides, padding, ceil, countPad, null];
    return [call(`aten::avg_pool${k}d`, args)];
  };
});

register('GlobalAveragePool', (node) => (ins) => {
  const x = need(node, ins, 0);
  return [x.mean(range(2, x.shape.length), true)];
});
register('GlobalMaxPool', (node) => (ins) => {
  const x = need(node, ins, 0);
  return [call('aten::amax', [x, range(2, x.shape.length), true])];
});
