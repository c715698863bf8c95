// Identity, Constant and Dropout (active only while the module trains, with the module's generator).
import { bernoulli, call, tensor } from '../../../engine/index.ts';
import type { OnnxNode, OnnxTensor } from '../parse.ts';
import { register } from '../registry.ts';
import { fail, need } from './util.ts';

register('Identity', (node) => (ins) => [need(node, ins, 0)]);

/** The value of a Constant node (value, value_float(s), value_int(s)). */
export function constantValue(node: OnnxNode): OnnxTensor {
  const a = node.attributes;
  const name = node.outputs[0];
  const t = a.get('value')?.t;
  if (t) return { ...t, name };
  const f = a.get('value_float')?.f;
  if (f !== undefined) return { name, dtype: 'float32', dims: [], data: Float32Array.of(f) };
  const fs = a.get('value_floats')?.floats;
  if (fs) return { name, dtype: 'float32', dims: [fs.length], data: Float32Array.from(fs) };
  const i = a.get('value_int')?.i;
  if (i !== undefined) return { name, dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(i)) };
  const is = a.get('value_ints')?.ints;
  if (is) return { name, dtype: 'int64', dims: [is.length], data: BigInt64Array.from(is, (v) => BigInt(v)) };
  return fail(node, 'only tensor, float(s) and int(s) values are supported');
}

register('Constant', (node) => {
  const v = constantValue(node);
  return () => [tensor(v.data, v.dims, v.dtype)];
});

register(
  'Dropout',
  (node) => {
    if (node.attributes.get('is_test')?.i === 1) return (ins) => [need(node, ins, 0)];
    const attrRatio = node.attributes.get('ratio')?.f ?? 0.5;
    return (ins, rt) => {
      const x = need(node, ins, 0);
      const p = ins[1] ? Number(ins[1].item()) : attrRatio;
      if (!(p >= 0 && p < 1)) fail(node, `ratio ${p} is outside [0, 1)`);
      if (!rt.training || p === 0) return [x, node.outputs[1] ? call('aten::ones_like', [x], { dtype: 'bool' }) : null];
      // as torch's dropout: noise = bernoulli(1 - p) / (1 - p); y = x * noise
      const noise = bernoulli(x, 1 - p, rt.gen);
      const mask = node.outputs[1] ? noise.ne(0) : null;
      noise.div_(1 - p);
      return [x.mul(noise), mask];
    };
  },
  { since: 7 },
);
