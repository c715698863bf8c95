// Conv (1-D, 2-D, 3-D; groups, dilations, explicit or SAME/VALID padding).
import { call, type Tensor } from '../../../engine/index.ts';
import type { OnnxNode } from '../parse.ts';
import { register } from '../registry.ts';
import { attrInt, attrInts, attrString, fail, need } from './util.ts';

/** Begin/end pads per spatial dim from `pads` or `auto_pad`, for input spatial sizes `size`. */
export function spatialPads(node: OnnxNode, size: number[], kernel: number[], strides: number[], dilations: number[]): [number[], number[]] {
  const k = size.length;
  const mode = attrString(node, 'auto_pad', 'NOTSET');
  if (mode === 'NOTSET') {
    const pads = attrInts(node, 'pads') ?? new Array(2 * k).fill(0);
    if (pads.length !== 2 * k) fail(node, `pads has ${pads.length} values, expected ${2 * k}`);
    return [pads.slice(0, k), pads.slice(k)];
  }
  if (mode === 'VALID') return [new Array(k).fill(0), new Array(k).fill(0)];
  if (mode !== 'SAME_UPPER' && mode !== 'SAME_LOWER') fail(node, `auto_pad '${mode}' is not supported`);
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < k; i++) {
    const out = Math.ceil(size[i] / strides[i]);
    const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size[i]);
    const small = Math.floor(total / 2);
    begin.push(mode === 'SAME_UPPER' ? small : total - small);
    end.push(mode === 'SAME_UPPER' ? total - small : small);
  }
  return [begin, end];
}

/** Pads the spatial dims asymmetrically (torch order: last dim first) with `value`. */
export function padSpatial(x: Tensor, begin: number[], end: number[], value: number): Tensor {
  const pad: number[] = [];
  for (let i = begin.length - 1; i >= 0; i--) pad.push(begin[i], end[i]);
  return call('aten::constant_pad_nd', [x, pad, value]);
}

register('Conv', (node) => {
  const group = attrInt(node, 'group', 1);
  return (ins) => {
    const x = need(node, ins, 0);
    const w = need(node, ins, 1);
    const k = w.shape.length - 2;
    if (k < 1 || k > 3 || x.shape.length !== k + 2) fail(node, `input [${x.shape}] and weight [${w.shape}] do not make a 1-3-D convolution`);
    const kernel = attrInts(node, 'kernel_shape') ?? w.shape.slice(2);
    const strides = attrInts(node, 'strides') ?? new Array(k).fill(1);
    const dilations = attrInts(node, 'dilations') ?? new Array(k).fill(1);
    const [begin, end] = spatialPads(node, x.shape.slice(2), kernel, strides, dilations);
    const symmetric = begin.every((b, i) => b === end[i]);
    const input = symmetric ? x : padSpatial(x, begin, end, 0);
    const padding = symmetric ? begin : new Array(k).fill(0);
    return [call('aten::convolution', [input, w, ins[2] ?? null, strides, padding, dilations, false, new Array(k).fill(0), group])];
  };
});
