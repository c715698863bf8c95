// Shape ops: Flatten, Reshape, Transpose, Concat, Slice, Gather, Unsqueeze, Squeeze, Shape, Expand,
// ConstantOfShape, Pad.
import { call, full, tensor, type Tensor } from '../../../engine/index.ts';
import { register } from '../registry.ts';
import { attrFloat, attrInt, attrInts, attrString, axis, fail, intsOf, need, prod } from './util.ts';

const int64 = (xs: number[], shape = [xs.length]) => tensor(BigInt64Array.from(xs, (v) => BigInt(v)), shape, 'int64');

register('Flatten', (node) => {
  const a = attrInt(node, 'axis', 1);
  return (ins) => {
    const x = need(node, ins, 0);
    const r = x.shape.length;
    const ax = a < 0 ? a + r : a;
    if (ax < 0 || ax > r) fail(node, `axis ${a} is out of range for rank ${r}`);
    return [x.reshape([prod(x.shape.slice(0, ax)), prod(x.shape.slice(ax))])];
  };
});

register('Reshape', (node) => {
  const allowZero = attrInt(node, 'allowzero', 0) === 1;
  return (ins) => {
    const x = need(node, ins, 0);
    const shape = node.attributes.get('shape')?.ints ?? intsOf(need(node, ins, 1));
    const target = shape.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
    if (target.some((d) => d === undefined)) fail(node, `shape [${shape}] copies a dim that [${x.shape}] lacks`);
    const known = prod(target.filter((d) => d !== -1));
    const total = prod(x.shape);
    if (target.filter((d) => d === -1).length > 1 || (target.includes(-1) ? known === 0 || total % known !== 0 : known !== total))
      fail(node, `cannot reshape [${x.shape}] to [${shape}]`);
    return [x.reshape(target)];
  };
});

register('Transpose', (node) => {
  const perm = attrInts(node, 'perm');
  return (ins) => {
    const x = need(node, ins, 0);
    return [x.permute(perm ?? x.shape.map((_, i) => x.shape.length - 1 - i))];
  };
});

register('Concat', (node) => {
  const a = attrInt(node, 'axis', 0);
  return (ins) => {
    const xs = ins.filter((t): t is Tensor => t !== null);
    if (!xs.length) fail(node, 'no inputs');
    return [call('aten::cat', [xs, axis(node, a, xs[0].shape.length)])];
  };
});

/** ONNX slice bounds for one axis of size `dim` (step > 0): clamped [start, end). */
function bounds(start: number, end: number, dim: number): [number, number] {
  const s = Math.min(Math.max(start < 0 ? start + dim : start, 0), dim);
  const e = Math.min(Math.max(end < 0 ? end + dim : end, 0), dim);
  return [s, Math.max(s, e)];
}

function slice(node: Parameters<typeof fail>[0], x: Tensor, starts: number[], ends: number[], axes?: number[], steps?: number[]): Tensor {
  const ax = axes ?? starts.map((_, i) => i);
  if (ends.length !== starts.length || ax.length !== starts.length) fail(node, 'starts, ends and axes differ in length');
  let y = x;
  ax.forEach((a0, i) => {
    const a = axis(node, a0, x.shape.length);
    const step = steps?.[i] ?? 1;
    if (step === 0) fail(node, 'step 0');
    const dim = y.shape[a];
    if (step > 0) {
      const [s, e] = bounds(starts[i], ends[i], dim);
      y = call('aten::slice.Tensor', [y, a, s, e, step]);
      return;
    }
    // negative step: start clamped to [0, dim - 1], end to [-1, dim - 1]
    const s = Math.min(Math.max(starts[i] < 0 ? starts[i] + dim : starts[i], 0), dim - 1);
    const e = Math.min(Math.max(ends[i] < 0 ? ends[i] + dim : ends[i], -1), dim - 1);
    const idx: number[] = [];
    for (let k = s; k > e; k += step) idx.push(k);
    y = y.indexSelect(a, int64(idx));
  });
  return y;
}

register(
  'Slice',
  (node) => {
    const starts = attrInts(node, 'starts');
    const ends = attrInts(node, 'ends');
    if (!starts || !ends) fail(node, "attributes 'starts' and 'ends' are required");
    return (ins) => [slice(node, need(node, ins, 0), starts, ends, attrInts(node, 'axes'))];
  },
  { until: 9 },
);
register(
  'Slice',
  (node) => (ins) => {
    const [x, s, e, a, st] = [need(node, ins, 0), need(node, ins, 1), need(node, ins, 2), ins[3], ins[4]];
    return [slice(node, x, intsOf(s), intsOf(e), a ? intsOf(a) : undefined, st ? intsOf(st) : undefined)];
  },
  { since: 10 },
);

register('Gather', (node) => {
  const a = attrInt(node, 'axis', 0);
  return (ins) => {
    const x = need(node, ins, 0);
    const idx = need(node, ins, 1);
    const ax = axis(node, a, x.shape.length);
    const dim = x.shape[ax];
    const flat = call<Tensor>('aten::remainder.Scalar', [idx.reshape([-1]).long(), dim]);
    const raw = intsOf(idx.reshape([-1]));
    if (raw.some((v) => v < -dim || v >= dim)) fail(node, `index out of range for axis ${ax} of size ${dim}`);
    const picked = x.indexSelect(ax, flat);
    return [picked.reshape([...x.shape.slice(0, ax), ...idx.shape, ...x.shape.slice(ax + 1)])];
  };
});

function unsqueeze(node: Parameters<typeof fail>[0], x: Tensor, axes: number[]): Tensor {
  const rank = x.shape.length + axes.length;
  const sorted = axes.map((a) => axis(node, a, rank)).sort((p, q) => p - q);
  let y = x;
  for (const a of sorted) y = y.unsqueeze(a);
  return y;
}
function squeeze(node: Parameters<typeof fail>[0], x: Tensor, axes?: number[]): Tensor {
  if (!axes || !axes.length) return x.reshape(x.shape.filter((d) => d !== 1));
  const drop = new Set(axes.map((a) => axis(node, a, x.shape.length)));
  for (const a of drop) if (x.shape[a] !== 1) fail(node, `cannot squeeze axis ${a} of size ${x.shape[a]}`);
  return x.reshape(x.shape.filter((_, i) => !drop.has(i)));
}
register(
  'Unsqueeze',
  (node) => {
    const axes = attrInts(node, 'axes');
    if (!axes) fail(node, "attribute 'axes' is missing");
    return (ins) => [unsqueeze(node, need(node, ins, 0), axes)];
  },
  { until: 12 },
);
register('Unsqueeze', (node) => (ins) => [unsqueeze(node, need(node, ins, 0), intsOf(need(node, ins, 1)))], { since: 13 });
register('Squeeze', (node) => (ins) => [squeeze(node, need(node, ins, 0), attrInts(node, 'axes'))], { until: 12 });
register('Squeeze', (node) => (ins) => [squeeze(node, need(node, ins, 0), ins[1] ? intsOf(ins[1]) : undefined)], { since: 13 });

register('Shape', (node) => {
  const start = attrInt(node, 'start', 0);
  const end = node.attributes.get('end')?.i;
  return (ins) => {
    const s = need(node, ins, 0).shape;
    const r = s.length;
    const [b, e] = bounds(start, end ?? r, r);
    return [int64(s.slice(b, e))];
  };
});

register('Expand', (node) => (ins) => {
  const x = need(node, ins, 0);
  const want = intsOf(need(node, ins, 1));
  const r = Math.max(want.length, x.shape.length);
  const a = [...new Array(r - x.shape.length).fill(1), ...x.shape];
  const b = [...new Array(r - want.length).fill(1), ...want];
  const out = a.map((d, i) => {
    if (d !== b[i] && d !== 1 && b[i] !== 1) fail(node, `cannot broadcast [${x.shape}] to [${want}]`);
    return d === 1 ? b[i] : d;
  });
  return [x.reshape(a).expand(out)];
});

register('ConstantOfShape', (node) => {
  const v = node.attributes.get('value')?.t;
  const dtype = v?.dtype ?? 'float32';
  const value = v ? Number(v.data[0]) : 0;
  return (ins) => [full(intsOf(need(node, ins, 0)), value, dtype)];
});

function pad(node: Parameters<typeof fail>[0], x: Tensor, pads: number[], mode: string, value: number, axes?: number[]): Tensor {
  const r = x.shape.length;
  const ax = axes ? axes.map((a) => axis(node, a, r)) : x.shape.map((_, i) => i);
  if (pads.length !== 2 * ax.length) fail(node, `pads has ${pads.length} values, expected ${2 * ax.length}`);
  const begin = new Array(r).fill(0);
  const end = new Array(r).fill(0);
  ax.forEach((a, i) => {
    begin[a] = pads[i];
    end[a] = pads[i + ax.length];
  });
  let first = 0;
  while (first < r && begin[first] === 0 && end[first] === 0) first++;
  const torchPad: number[] = [];
  for (let i = r - 1; i >= first; i--) torchPad.push(begin[i], end[i]);
  if (!torchPad.length) return x;
  if (mode === 'constant') return call('aten::constant_pad_nd', [x, torchPad, value]);
  const k = r - first;
  if (k > 3 || first < r - 3 || first === 0) fail(node, `mode '${mode}' pads only the last 1-3 dims of a batched input`);
  const op = mode === 'reflect' ? `aten::reflection_pad${k}d` : mode === 'edge' ? `aten::replication_pad${k}d` : fail(node, `mode '${mode}' is not supported`);
  return call(op, [x, torchPad]);
}
register(
  'Pad',
  (node) => {
    const pads = attrInts(node, 'pads');
    if (!pads) fail(node, "attribute 'pads' is missing");
    return (ins) => [pad(node, need(node, ins, 0), pads, attrString(node, 'mode', 'constant'), attrFloat(node, 'value', 0))];
  },
  { until: 10 },
);
register(
  'Pad',
  (node) => {
    const mode = attrString(node, 'mode', 'constant');
    return (ins) => {
      const value = ins[2] && ins[2].numel ? Number(ins[2].item()) : 0;
      return [pad(node, need(node, ins, 0), intsOf(need(node, ins, 1)), mode, value, ins[3] ? intsOf(ins[3]) : undefined)];
    };
  },
  { since: 11 },
);
