// OnnxModule: an ONNX graph as a trainable cwrf module. Floating-point initializers become parameters named as
// in the graph (BatchNormalization running statistics become buffers); nodes run as engine ops with autograd.
import { keep, noGrad, rand, tensor, type Generator, type Tensor } from '../../engine/index.ts';
import { InputError } from '../../util/errors.ts';
import { Module } from '../module.ts';
import { inferRoles, runningStats, type ParamRole } from './init.ts';
import { constantValue } from './ops/misc.ts';
import './ops/index.ts';
import type { OnnxModel, OnnxTensor, OnnxValueInfo } from './parse.ts';
import { converterFor, type OpRun, type RunContext } from './registry.ts';

interface Step {
  node: string;
  op: string;
  run: OpRun;
  inputs: string[];
  outputs: string[];
}

const FLOAT = new Set(['float32', 'float64']);

export class OnnxModule extends Module {
  readonly input: OnnxValueInfo;
  readonly output: OnnxValueInfo;
  /** Each parameter's and buffer's role (how the graph consumes it), for resetParameters. */
  readonly roles: Map<string, ParamRole>;
  private readonly steps: Step[] = [];
  private readonly constants = new Map<string, Tensor>();
  private readonly rt: RunContext;

  /** `gen` drives Dropout while training (weights come from the graph until resetParameters). */
  constructor(readonly model: OnnxModel, gen: Generator) {
    super();
    const g = model.graph;
    const where = model.path || 'ONNX model';
    if (g.inputs.length !== 1) throw new InputError(`${where}: needs exactly one data input, has ${g.inputs.length} (${g.inputs.map((i) => i.name).join(', ')})`);
    if (g.outputs.length < 1) throw new InputError(`${where}: has no output`);
    this.input = g.inputs[0];
    this.output = g.outputs[0];
    if (this.input.elemType !== 1) throw new InputError(`${where}: input '${this.input.name}' must be float32 (element type 1), is type ${this.input.elemType}`);
    this.rt = { training: true, gen };
    this.roles = inferRoles(g);
    const stats = runningStats(g);
    const known = new Map<string, OnnxTensor>();
    for (const t of g.initializers) {
      known.set(t.name, t);
      const live = tensor(t.data, t.dims, t.dtype);
      if (stats.has(t.name)) this.buffer(t.name, live);
      else if (FLOAT.has(t.dtype) && (t.dims.length > 0 || this.roles.has(t.name))) this.param(t.name, live);
      else this.constants.set(t.name, keep(live));
    }
    const defined = new Set([this.input.name, ...known.keys()]);
    const problems: string[] = [];
    for (const node of g.nodes) {
      for (const i of node.inputs) if (i && !defined.has(i)) problems.push(`node '${node.name}' reads '${i}' before it is defined`);
      try {
        const convert = converterFor(node, model.opsets.get(node.domain));
        if (node.opType === 'Constant' && node.domain === '') {
          const v = constantValue(node);
          known.set(node.outputs[0], v);
          this.constants.set(node.outputs[0], keep(tensor(v.data, v.dims, v.dtype)));
        } else {
          const run = convert(node, { opset: model.opsets.get(node.domain)!, constant: (n) => known.get(n) });
          this.steps.push({ node: node.name, op: node.opType, run, inputs: node.inputs, outputs: node.outputs });
        }
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        problems.push(e.message.replace(/^ONNX /, ''));
      }
      for (const o of node.outputs) if (o) defined.add(o);
    }
    if (!defined.has(this.output.name)) problems.push(`output '${this.output.name}' is never computed`);
    if (problems.length) {
      const shown = problems.slice(0, 8).join('; ');
      throw new InputError(`${where}: ${shown}${problems.length > 8 ? `; and ${problems.length - 8} more` : ''}`);
    }
  }

  /** The graph's input dims after the batch dim (null where symbolic), and the output's class count if fixed. */
  signature(): { inShape: (number | null)[] | null; classes: number | null } {
    const d = this.input.dims;
    const o = this.output.dims;
    return {
      inShape: d ? d.slice(1).map((v) => (typeof v === 'number' ? v : null)) : null,
      classes: o && o.length === 2 && typeof o[1] === 'number' ? o[1] : null,
    };
  }

  /**
   * Throws a one-line InputError unless the data's example shape and class count fit the graph. Examples that
   * differ from the graph's only by flattening (or a leading channel of 1) are reshaped in forward().
   */
  checkData(inShape: number[], classes: number): void {
    const where = this.model.path || 'ONNX model';
    this.fitInput(inShape, where, 'the data has');
    const s = this.signature();
    if (s.classes !== null && s.classes !== classes) throw new InputError(`${where}: outputs ${s.classes} classes, the data has ${classes}`);
  }

  /** Takes examples of shape `inShape` from now on (reshaped when they differ only by flattening), or throws a one-line InputError. */
  fitInput(inShape: number[], where: string, theirs = 'the inputs have'): void {
    const s = this.signature();
    if (!s.inShape) return;
    const fit = graphInputShape(s.inShape, inShape);
    if (!fit.ok) throw new InputError(`${where}: input '${this.input.name}' takes examples of shape [${s.inShape.map((v) => v ?? '?')}], ${theirs} [${inShape}] (${fit.why})`);
    this.reshapeTo = fit.reshape ?? null;
  }

  /** The example shape examples are reshaped to before the graph (the data's differs by flattening), or null. */
  reshapeTo: number[] | null = null;

  forward(input: Tensor): Tensor {
    const x = this.reshapeTo ? input.reshape([input.shape[0], ...this.reshapeTo]) : input;
    try {
      return this.run(x);
    } finally {
      if (x !== input) x.dispose();
    }
  }

  private run(x: Tensor): Tensor {
    const dims = this.input.dims;
    if (dims && (x.shape.length !== dims.length || dims.some((d, i) => typeof d === 'number' && i > 0 && d !== x.shape[i])))
      throw new InputError(`ONNX input '${this.input.name}': got shape [${x.shape}], the model takes [${dims.map((d) => (typeof d === 'number' ? d : '?'))}]`);
    if (x.dtype !== 'float32') throw new InputError(`ONNX input '${this.input.name}': got ${x.dtype}, the model takes float32`);
    const persistent = new Set<Tensor>([x, ...this.constants.values(), ...this.stateTensors().values()]);
    const values = new Map<string, Tensor>(this.constants);
    for (const [n, t] of this.stateTensors()) values.set(n, t);
    values.set(this.input.name, x);
    this.rt.training = this.training;
    const produced = new Set<Tensor>();
    try {
      for (const s of this.steps) {
        let outs: (Tensor | null)[];
        try {
          outs = s.run(
            s.inputs.map((n) => (n ? values.get(n)! : null)),
            this.rt,
          );
        } catch (e) {
          if (e instanceof InputError) throw e;
          throw new InputError(`ONNX node '${s.node}' (${s.op}): ${String((e as Error).message).split('\n')[0]}`);
        }
        s.outputs.forEach((o, i) => {
          const t = outs[i];
          if (!o || !t) return;
          values.set(o, t);
          if (!persistent.has(t)) produced.add(t);
        });
      }
    } catch (e) {
      for (const t of produced) t.dispose();
      const fixed = dims?.[0];
      if (e instanceof InputError && typeof fixed === 'number' && fixed !== x.shape[0])
        throw new InputError(`${e.message} (the graph was exported for batches of ${fixed}: export it with a dynamic batch dim, e.g. torch.onnx.export(..., dynamic_axes={'${this.input.name}': {0: 'n'}}))`);
      throw e;
    }
    const y = values.get(this.output.name)!;
    for (const t of produced) if (t !== y) t.dispose();
    return persistent.has(y) ? y.clone() : y;
  }

  /** Fresh values by role (PyTorch's defaults, drawn from `gen` in graph order); returns the names left as they were. */
  override resetParameters(gen: Generator): string[] {
    const kept: string[] = [];
    noGrad(() => {
      for (const [name, t] of this.stateTensors()) {
        const role = this.roles.get(name) ?? { kind: 'unknown' };
        if (role.kind === 'weight' || role.kind === 'bias') {
          const bound = 1 / Math.sqrt(role.fanIn);
          const v = rand(t.shape, gen, -bound, bound, t.dtype);
          t.copy_(v);
          v.dispose();
        } else if (role.kind === 'ones') t.fill_(1);
        else if (role.kind === 'zeros') t.fill_(0);
        else kept.push(name);
      }
    });
    return kept;
  }

  /** Every parameter and buffer as an initializer value (for writing the graph back). */
  initializerValues(): Map<string, OnnxTensor> {
    const out = new Map<string, OnnxTensor>();
    for (const [name, t] of this.stateTensors()) out.set(name, { name, dtype: t.dtype, dims: t.shape, data: t.data() });
    return out;
  }

  override dispose(): void {
    super.dispose();
    for (const t of this.constants.values()) t.dispose();
    this.constants.clear();
  }
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Whether examples of shape `data` fit a graph input of example shape `graph` (null = symbolic): as they are, or
 * reshaped when the two hold the same number of elements and differ only by flattening (one of them is 1-D) or by
 * dims of size 1 (a leading channel of 1). Anything else, e.g. channels-last against channels-first, does not fit.
 */
export function graphInputShape(graph: readonly (number | null)[], data: readonly number[]): { ok: true; reshape?: number[] } | { ok: false; why: string } {
  if (graph.length === data.length && graph.every((v, i) => v === null || v === data[i])) return { ok: true };
  const known = graph.every((v): v is number => v !== null);
  const elements = count(data);
  if (!known) return { ok: false, why: `a graph with symbolic example dims takes the data's shape as it is` };
  if (count(graph) !== elements) return { ok: false, why: `${count(graph)} elements per example against the data's ${elements}` };
  const squeeze = (s: readonly number[]) => s.filter((v) => v !== 1).join();
  if (graph.length === 1 || data.length === 1 || squeeze(graph) === squeeze(data)) return { ok: true, reshape: [...graph] };
  return { ok: false, why: `same ${elements} elements, but not a flattening of one another: reorder the data or the graph's input` };
}
