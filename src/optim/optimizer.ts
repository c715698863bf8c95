// Optimizers (SGD with momentum/Nesterov, Adam, AdamW) that honour per-parameter gradient masks:
// a masked-out coordinate receives no update at all (no gradient, no weight decay, no momentum).
import { noGrad, zerosLike, tidy, keep, type Tensor } from '../engine/index.ts';

/** A parameter with its name (as in a state dict). */
export type NamedParam = [string, Tensor];

export abstract class Optimizer {
  lr: number;
  /** 1 = trainable, 0 = frozen; same shape as the parameter. */
  protected readonly masks = new Map<Tensor, Tensor>();
  protected readonly params: NamedParam[];
  protected stepCount = 0;
  /** Per-parameter state (momentum, Adam moments), created at the first update. */
  protected readonly slots = new Map<Tensor, Record<string, Tensor>>();

  constructor(params: NamedParam[], lr: number) {
    this.params = params;
    this.lr = lr;
  }

  /** Freezes the coordinates where `mask` is 0 (0/1 shaped like the parameter; the optimizer keeps a copy). */
  setMask(name: string, mask: Tensor | null): void {
    const p = this.params.find(([n]) => n === name)?.[1];
    if (!p) throw new Error(`optimizer has no parameter '${name}'`);
    const old = this.masks.get(p);
    if (old) old.dispose();
    if (mask) this.masks.set(p, keep(mask.dtype === p.dtype ? mask.clone() : mask.to(p.dtype)));
    else this.masks.delete(p);
  }
  /** Names of parameters with a mask. */
  maskedNames(): string[] {
    return this.params.filter(([, p]) => this.masks.has(p)).map(([n]) => n);
  }

  zeroGrad(): void {
    for (const [, p] of this.params) p.grad = null;
  }

  /** Applies one update from the parameters' .grad (parameters without a gradient are skipped). */
  step(): void {
    this.stepCount++;
    noGrad(() =>
      tidy(() => {
        for (const [, p] of this.params) {
          const g = p.grad;
          if (!g) continue;
          this.update(p, g, this.masks.get(p) ?? null);
        }
      }),
    );
  }

  protected abstract update(p: Tensor, g: Tensor, mask: Tensor | null): void;

  /** p -= scale * u, only where mask is 1. */
  protected apply(p: Tensor, u: Tensor, scale: number, mask: Tensor | null): void {
    if (mask) p.addcmul_(u, mask, -scale);
    else p.add_(u, -scale);
  }

  protected state(p: Tensor, key: string): Tensor {
    let s = this.slots.get(p);
    if (!s) this.slots.set(p, (s = {}));
    return (s[key] ??= keep(zerosLike(p)));
  }

  /** The state to checkpoint: steps taken and tensors named '<param>/<slot>' (live tensors, not copies). */
  stateEntries(): { steps: number; tensors: Record<string, Tensor> } {
    const tensors: Record<string, Tensor> = {};
    for (const [n, p] of this.params) for (const [k, t] of Object.entries(this.slots.get(p) ?? {})) tensors[`${n}/${k}`] = t;
    return { steps: this.stepCount, tensors };
  }

  /** Restores what stateEntries() returned (values are copied). */
  loadStateEntries(steps: number, tensors: Record<string, Tensor>): void {
    const byName = new Map(this.params);
    for (const [name, t] of Object.entries(tensors)) {
      const cut = name.lastIndexOf('/');
      const p = byName.get(name.slice(0, cut));
      if (!p || t.shape.join(',') !== p.shape.join(',')) throw new Error(`optimizer state '${name}' does not fit the model`);
      noGrad(() => this.state(p, name.slice(cut + 1)).copy_(t));
    }
    this.stepCount = steps;
  }

  /** Frees the optimizer's state and masks. */
  dispose(): void {
    for (const m of this.masks.values()) m.dispose();
    this.masks.clear();
    for (const s of this.slots.values()) for (const t of Object.values(s)) t.dispose();
    this.slots.clear();
  }
}

export interface SgdOptions {
  lr: number;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  dampening?: number;
}

/** torch.optim.SGD semantics (weight decay added to the gradient; momentum buffer starts at the first gradient). */
export class SGD extends Optimizer {
  constructor(params: NamedParam[], readonly opts: SgdOptions) {
    super(params, opts.lr);
  }
  protected update(p: Tensor, g0: Tensor, mask: Tensor | null): void {
    const { momentum = 0, nesterov = false, weightDecay = 0, dampening = 0 } = this.opts;
    let g = mask ? g0.mul(mask) : g0;
    if (weightDecay) g = g.add(mask ? p.mul(mask) : p, weightDecay);
    if (momentum) {
      const first = !this.slots.get(p)?.momentum;
      const b = this.state(p, 'momentum');
      if (first) b.copy_(g);
      else b.mul_(momentum).add_(g, 1 - dampening);
      g = nesterov ? g.add(b, momentum) : b;
    }
    this.apply(p, g, this.lr, mask);
  }
}

export interface AdamOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Decoupled weight decay (AdamW) instead of L2 added to the gradient. */
  decoupled?: boolean;
}

/** torch.optim.Adam / AdamW semantics. */
export class Adam extends Optimizer {
  constructor(params: NamedParam[], readonly opts: AdamOptions) {
    super(params, opts.lr);
  }
  protected update(p: Tensor, g0: Tensor, mask: Tensor | null): void {
    const [b1, b2] = this.opts.betas ?? [0.9, 0.999];
    const eps = this.opts.eps ?? 1e-8;
    const wd = this.opts.weightDecay ?? 0;
    let g = mask ? g0.mul(mask) : g0;
    if (wd && this.opts.decoupled) this.apply(p, p, this.lr * wd, mask);
    else if (wd) g = g.add(mask ? p.mul(mask) : p, wd);
    const m = this.state(p, 'exp_avg');
    const v = this.state(p, 'exp_avg_sq');
    m.mul_(b1).add_(g, 1 - b1);
    v.mul_(b2).addcmul_(g, g, 1 - b2);
    const t = this.stepCount;
    const bc1 = 1 - b1 ** t;
    const bc2 = 1 - b2 ** t;
    const denom = v.sqrt().div_(Math.sqrt(bc2)).add_(eps);
    if (mask) this.apply(p, m.div(denom), this.lr / bc1, mask);
    else p.addcdiv_(m, denom, -this.lr / bc1);
  }
}

export type OptimizerSpec =
  | ({ name: 'sgd' } & SgdOptions)
  | ({ name: 'adam' } & AdamOptions)
  | ({ name: 'adamw' } & AdamOptions);

/** Builds the optimizer described by `spec` over `params`. */
export function makeOptimizer(spec: OptimizerSpec, params: NamedParam[]): Optimizer {
  if (spec.name === 'sgd') return new SGD(params, spec);
  if (spec.name === 'adamw') return new Adam(params, { ...spec, decoupled: true, weightDecay: spec.weightDecay ?? 0.01 });
  return new Adam(params, spec);
}
