// Module: owns named parameters, buffers and sub-modules (as torch.nn.Module), with a state dict.
import { keep, noGrad, tensor, type Generator, type Tensor } from '../engine/index.ts';
import { InputError } from '../util/errors.ts';

/** A tensor's data as stored in a state dict file. */
export interface StateEntry {
  shape: number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;
}

/** What a parameter is, for analyses and parameter selection (`--params`). */
export type ParamKind = 'conv' | 'linear' | 'norm' | 'attention' | 'embedding' | 'other';

export abstract class Module {
  training = true;
  /** When set, every parameter of this module and its descendants has this kind (e.g. 'attention'). */
  kindScope?: ParamKind;
  /** Kinds of this module's own parameters by name, where the layer type does not say (e.g. a ViT's pos_embed). */
  ownKinds?: Record<string, ParamKind>;
  private readonly _params = new Map<string, Tensor>();
  private readonly _buffers = new Map<string, Tensor>();
  private readonly _children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Registers a trainable tensor under `name` (it requires grad and outlives every tidy scope). */
  protected param(name: string, t: Tensor): Tensor {
    keep(t);
    t.requiresGrad = true;
    this._params.set(name, t);
    return t;
  }
  /** Registers non-trainable state (e.g. BatchNorm running statistics). */
  protected buffer(name: string, t: Tensor): Tensor {
    keep(t);
    this._buffers.set(name, t);
    return t;
  }
  protected child<M extends Module>(name: string, m: M): M {
    this._children.set(name, m);
    return m;
  }

  /**
   * Draws the module's initial values again from `gen` (as torch.nn's reset_parameters): each layer its own, a
   * container its children's in registration order. Layers call it from their constructor, so construction
   * draws exactly what it drew before this method existed.
   */
  resetParameters(gen: Generator): void {
    for (const c of this._children.values()) c.resetParameters(gen);
  }

  /** Parameters by dotted name, in registration order (as torch's named_parameters). */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this._params) out.push([prefix + n, p]);
    for (const [n, c] of this._children) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, b] of this._buffers) out.push([prefix + n, b]);
    for (const [n, c] of this._children) out.push(...c.namedBuffers(`${prefix}${n}.`));
    return out;
  }
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix.replace(/\.$/, ''), this]];
    for (const [n, c] of this._children) out.push(...c.namedModules(`${prefix}${n}.`));
    return out;
  }
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }
  /** Parameters and buffers by name (the live tensors, not copies). */
  stateTensors(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }
  /** A copy of every parameter and buffer as typed arrays. */
  stateDict(): Record<string, StateEntry> {
    const out: Record<string, StateEntry> = {};
    for (const [n, t] of this.stateTensors()) out[n] = { shape: t.shape, data: t.data() as StateEntry['data'] };
    return out;
  }
  /**
   * Copies values into the live tensors. Every name and shape is checked first: any problem (missing, unexpected
   * or mismatched tensors, all of them reported in one InputError) leaves the module unchanged.
   */
  loadStateDict(state: Record<string, StateEntry>, source = 'state dict'): void {
    const live = this.stateTensors();
    const problems: string[] = [];
    for (const name of live.keys()) if (!(name in state)) problems.push(`missing tensor '${name}'`);
    for (const name of Object.keys(state)) if (!live.has(name)) problems.push(`unexpected tensor '${name}'`);
    for (const [name, t] of live) {
      const e = state[name];
      if (!e) continue;
      if (e.shape.join(',') !== t.shape.join(',')) problems.push(`'${name}' has shape [${e.shape}], model expects [${t.shape}]`);
      else if (e.data.length !== t.numel) problems.push(`'${name}' has ${e.data.length} values for shape [${e.shape}]`);
    }
    if (problems.length === 1) throw new InputError(`${source}: ${problems[0]}`);
    if (problems.length > 1) throw new InputError(`${source}: ${problems.length} problems: ${problems.join('; ')}`);
    noGrad(() => {
      for (const [name, t] of live) {
        const src = tensorFrom(state[name], t.dtype);
        t.copy_(src);
        src.dispose();
      }
    });
  }
  /** Copies every parameter and buffer from another module of the same architecture. */
  copyFrom(other: Module): void {
    const src = other.stateTensors();
    noGrad(() => {
      for (const [n, t] of this.stateTensors()) t.copy_(src.get(n)!);
    });
  }
  train(on = true): this {
    for (const [, m] of this.namedModules()) m.training = on;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  /** Frees every parameter and buffer. */
  dispose(): void {
    for (const [, t] of this.stateTensors()) t.dispose();
  }
  /** Total number of parameter elements. */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.numel, 0);
  }
}

function tensorFrom(e: StateEntry, dtype: Tensor['dtype']): Tensor {
  return tensor(e.data, e.shape, dtype);
}
