// Parameter roles read from the graph (how each initializer is consumed) and PyTorch's default initialisation
// by role: kaiming-uniform (a = sqrt(5)) for conv/linear weights, U(+-1/sqrt(fan_in)) for their biases,
// scale 1 and shift 0 for norms (running mean 0, variance 1).
import type { OnnxGraph } from './parse.ts';

export type ParamRole =
  | { kind: 'weight'; fanIn: number; op: string }
  | { kind: 'bias'; fanIn: number; op: string }
  | { kind: 'ones'; op: string }
  | { kind: 'zeros'; op: string }
  | { kind: 'unknown' };

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

/** The role of every initializer the graph consumes as a layer parameter (through Identity aliases too). */
export function inferRoles(graph: OnnxGraph): Map<string, ParamRole> {
  const dims = new Map(graph.initializers.map((t) => [t.name, t.dims]));
  const alias = new Map<string, string>();
  for (const n of graph.nodes) if (n.opType === 'Identity' && n.domain === '') alias.set(n.outputs[0], alias.get(n.inputs[0]) ?? n.inputs[0]);
  const src = (name: string | undefined) => (name === undefined ? undefined : (alias.get(name) ?? name));
  const roles = new Map<string, ParamRole>();
  const set = (name: string | undefined, role: ParamRole) => {
    const s = src(name);
    if (s && dims.has(s) && !roles.has(s)) roles.set(s, role);
  };
  const producer = new Map<string, { op: string; weight: string | undefined }>();
  for (const n of graph.nodes) {
    if (n.domain !== '') continue;
    const w = src(n.inputs[1]);
    const wd = w ? dims.get(w) : undefined;
    switch (n.opType) {
      case 'Conv':
        if (wd && wd.length >= 3) {
          const fanIn = prod(wd.slice(1));
          set(w, { kind: 'weight', fanIn, op: 'Conv' });
          set(n.inputs[2], { kind: 'bias', fanIn, op: 'Conv' });
        }
        break;
      case 'Gemm':
        if (wd && wd.length === 2) {
          const transB = n.attributes.get('transB')?.i === 1;
          const fanIn = transB ? wd[1] : wd[0];
          set(w, { kind: 'weight', fanIn, op: 'Gemm' });
          set(n.inputs[2], { kind: 'bias', fanIn, op: 'Gemm' });
        }
        break;
      case 'MatMul':
        if (wd && wd.length === 2) {
          set(w, { kind: 'weight', fanIn: wd[0], op: 'MatMul' });
          producer.set(n.outputs[0], { op: 'MatMul', weight: w });
        }
        break;
      case 'Add': {
        // MatMul + bias, as torch exports Linear on 3-D inputs (either operand order)
        for (const [a, b] of [[0, 1], [1, 0]]) {
          const p = producer.get(n.inputs[a]);
          const bias = src(n.inputs[b]);
          const bd = bias ? dims.get(bias) : undefined;
          const pw = p?.weight ? dims.get(p.weight) : undefined;
          if (p && pw && bd && bd.length === 1 && bd[0] === pw[1]) set(bias, { kind: 'bias', fanIn: pw[0], op: 'MatMul' });
        }
        break;
      }
      case 'BatchNormalization':
        set(n.inputs[1], { kind: 'ones', op: n.opType });
        set(n.inputs[2], { kind: 'zeros', op: n.opType });
        set(n.inputs[3], { kind: 'zeros', op: n.opType });
        set(n.inputs[4], { kind: 'ones', op: n.opType });
        break;
      case 'LayerNormalization':
      case 'InstanceNormalization':
        set(n.inputs[1], { kind: 'ones', op: n.opType });
        set(n.inputs[2], { kind: 'zeros', op: n.opType });
        break;
    }
  }
  return roles;
}

/** Names of BatchNormalization running statistics (buffers, not trainable). */
export function runningStats(graph: OnnxGraph): Set<string> {
  const out = new Set<string>();
  for (const n of graph.nodes) if (n.opType === 'BatchNormalization' && n.domain === '') for (const i of [3, 4]) if (n.inputs[i]) out.add(n.inputs[i]);
  return out;
}
