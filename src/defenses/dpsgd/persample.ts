// Per-sample gradients without a loop over examples (Opacus-style, shared/SPECS.md DP-SGD): one forward
// pass records each layer's input a (activations) and one backward pass gives each layer's output gradient
// b; per-sample parameter gradients follow in closed form:
//   Linear  g_i = sum_t b_{i,t} a_{i,t}^T        bias: sum_t b_{i,t}
//   Conv2d  g_i = B_i U_i^T, U_i = im2col(a_i)   bias: sum over positions of B_i
//           (computed by default as one grouped convolution, which gives the same g_i without the im2col buffer)
//   GroupNorm  weight: sum over positions of b_i * xhat_i (xhat recomputed from a_i), bias: sum of b_i
//   LayerNorm  the same over the non-batch, non-feature dims (xhat normalised over the last dim)
// Ghost norms for Linear on 2-D inputs: ||g_i||^2 = ||a_i||^2 ||b_i||^2, with a 0/1 mask M:
// ||g_i * M||^2 = (b_i^2)^T M (a_i^2); the clipped sum is then (c * b)^T a, never materialising g_i.
// Layers hand (input, output) to the capture hook of src/nn/capture.ts, installed only during these calls.
import { call, grad, keep, noGrad, tidy, track, type Tensor } from '../../engine/index.ts';
import { setCapture } from '../../nn/capture.ts';
import type { Module } from '../../nn/index.ts';
import {
  batchFirst,
  ownTrainable,
  psAddWeighted,
  psNormSq,
  maskFor,
  ruleFor,
  validate,
  type ConvMethod,
  type LayerGrads,
  type LayerParams,
  type PerSample,
  type Trace,
} from './rules/index.ts';

/** Per-example losses [B] of a batch's logits (e.g. cross-entropy with reduction 'none'). */
export type LossPerExample = (logits: Tensor) => Tensor;

export interface PerSampleOptions {
  /** 0/1 masks by parameter name: only coordinates where the mask is 1 count (frozen weights are excluded). */
  masks?: Map<string, Tensor>;
  /** Ghost norms for Linear layers on 2-D inputs (default true); false materialises every per-sample gradient. */
  ghost?: boolean;
  /** How Conv2d per-sample gradients are formed (same values): one grouped convolution (default) or im2col + bmm. */
  conv?: ConvMethod;
}

export type { ConvMethod } from './rules/index.ts';

export interface ClipOptions extends PerSampleOptions {
  /** Multiplies the clipped sums (e.g. 1 / expected batch size), folded into the clipping factors. */
  scale?: number;
}

/** The model's trainable parameters (in namedParameters order) and the supported layer owning each. */
interface Plan {
  layers: Map<Module, LayerParams>;
  params: [string, Tensor][];
}

export { BATCHNORM_MESSAGE } from './rules/index.ts';

/** Throws InputError if the model contains BatchNorm (its batch statistics mix examples) or any layer without a rule. */
export function rejectBatchNorm(model: Module): void {
  validate(model);
}

function plan(model: Module): Plan {
  validate(model);
  const layers = new Map<Module, LayerParams>();
  const params: [string, Tensor][] = [];
  for (const [path, m] of model.namedModules()) {
    const own = ownTrainable(m);
    if (own.length === 0) continue;
    const full = (n: string) => (path ? `${path}.${n}` : n);
    const find = (n: string): [string, Tensor] | null => {
      const e = own.find(([k]) => k === n);
      return e ? [full(n), e[1]] : null;
    };
    layers.set(m, {
      layer: m,
      path,
      weight: find('weight'),
      bias: find('bias'),
      own: own.map(([local, t]) => ({ local, name: full(local), t })),
    });
  }
  for (const [name, p] of model.namedParameters()) if (p.requiresGrad) params.push([name, p]);
  return { layers, params };
}

interface Traced {
  plan: Plan;
  logits: Tensor;
  losses: Tensor;
  /** Traces grouped by layer, in order of first use. */
  groups: Trace[][];
}

/** One forward pass recording layer inputs, one backward pass to the layer outputs (no parameter gradients). */
function trace(model: Module, x: Tensor, lossPerExample: LossPerExample): Traced {
  const p = plan(model);
  const recs: { lp: LayerParams; a: Tensor; out: Tensor }[] = [];
  const prev = setCapture((m, input, output) => {
    const lp = p.layers.get(m);
    if (!lp) return output;
    recs.push({ lp, a: input.detach(), out: output });
    // The caller may dispose what the layer returns; keep `output` (our handle on the graph node) apart.
    return call('aten::alias', [output]);
  });
  let logits: Tensor;
  try {
    logits = model.forward(x);
  } finally {
    setCapture(prev);
  }
  const losses = lossPerExample(logits);
  const n = x.shape[0];
  if (losses.shape.length !== 1 || losses.shape[0] !== n) throw new Error(`per-example loss must have shape [${n}], got [${losses.shape}]`);
  const bs = recs.length
    ? grad(
        [losses.sum()],
        recs.map((r) => r.out),
      )
    : [];
  const groups = new Map<Module, Trace[]>();
  recs.forEach((r, i) => {
    const b = bs[i] ?? noGrad(() => r.out.detach().mul(0));
    const g = groups.get(r.lp.layer);
    if (g) g.push({ lp: r.lp, a: r.a, b });
    else groups.set(r.lp.layer, [{ lp: r.lp, a: r.a, b }]);
  });
  return { plan: p, logits, losses, groups: [...groups.values()] };
}

function materialized(ts: Trace[], conv: ConvMethod): LayerGrads & { perSample: PerSample[] } {
  const lp = ts[0].lp;
  const names = lp.own.map((o): [string, Tensor] => [o.name, o.t]);
  // A layer used more than once (shared weights): per-sample gradients of its uses add up (same layouts).
  const add = (x: PerSample | null, y: PerSample | null): PerSample | null => (x && y ? { t: x.t.add(y.t), layout: x.layout } : (x ?? y));
  const acc: (PerSample | null)[] = lp.own.map(() => null);
  for (const t of ts) {
    const m = ruleFor(t.lp.layer)!.materialize(t, conv);
    lp.own.forEach((o, i) => (acc[i] = add(acc[i], m[o.local] ?? null)));
  }
  const perSample = acc.map((ps, i) => {
    if (!ps) throw new Error(`per-sample rule ${ruleFor(lp.layer)!.name} gave no gradient for '${names[i][0]}'`);
    return ps;
  });
  return {
    names,
    perSample,
    sq(masks) {
      let s: Tensor | null = null;
      names.forEach(([name], i) => {
        const r = psNormSq(perSample[i], maskFor(masks, name, perSample[i].t));
        s = s ? s.add(r) : r;
      });
      return s!;
    },
    addClippedSum(w, outs) {
      names.forEach((_, i) => psAddWeighted(outs[i], perSample[i], w));
    },
  };
}

function layerGrads(groups: Trace[][], opts: PerSampleOptions): LayerGrads[] {
  const ghost = opts.ghost ?? true;
  return groups.map(
    (ts) => (ghost && ts.length === 1 ? ruleFor(ts[0].lp.layer)!.ghost?.(ts[0]) : null) ?? materialized(ts, opts.conv ?? 'grouped'),
  );
}

/**
 * Per-sample gradients of `lossPerExample(model(x))`: parameter name -> [B, ...paramShape], for every
 * trainable parameter used in the forward pass, in namedParameters order (layers without a rule are rejected).
 * The caller owns (disposes) the returned tensors.
 */
export function perSampleGradients(
  model: Module,
  x: Tensor,
  lossPerExample: LossPerExample,
  opts: Pick<PerSampleOptions, 'conv'> = {},
): Map<string, Tensor> {
  const pairs = tidy(() => {
    const tr = trace(model, x, lossPerExample);
    return noGrad(() => {
      const got = new Map<string, Tensor>();
      for (const g of tr.groups) {
        const m = materialized(g, opts.conv ?? 'grouped');
        m.names.forEach(([name], i) => got.set(name, batchFirst(m.perSample[i])));
      }
      return tr.plan.params.filter(([name]) => got.has(name)).map(([name]): [string, Tensor] => [name, got.get(name)!]);
    });
  });
  return new Map(pairs);
}

/**
 * Per-sample gradient norms [B] over all trainable parameters jointly (only mask = 1 coordinates),
 * with ghost norms for Linear layers on 2-D inputs (per-sample gradients are not materialised there).
 */
export function perSampleNorms(model: Module, x: Tensor, lossPerExample: LossPerExample, opts: PerSampleOptions = {}): Tensor {
  return tidy(() => {
    const tr = trace(model, x, lossPerExample);
    return noGrad(() => squaredNorms(layerGrads(tr.groups, opts), opts.masks, x.shape[0], x).sqrt());
  });
}

function squaredNorms(lgs: LayerGrads[], masks: Map<string, Tensor> | undefined, n: number, like: Tensor): Tensor {
  let s: Tensor | null = null;
  for (const lg of lgs) {
    const r = lg.sq(masks);
    s = s ? s.add(r) : r;
  }
  return (
    s ??
    call('aten::zeros', [[n]], {
      dtype: like.dtype === 'float64' ? 'float64' : 'float32',
    })
  );
}

export interface ClippedSum {
  logits: Tensor;
  /** Per-example losses [B]. */
  losses: Tensor;
  /** Per-sample gradient norms [B] before clipping (mask = 1 coordinates only). */
  norms: Tensor;
  /** Clipping factors c_i = min(1, C / (norm_i + 1e-6)). */
  factors: Tensor;
  /** sum_i c_i g_i per parameter (namedParameters order; parameters unused by the forward pass are absent). */
  sums: [string, Tensor][];
}

/**
 * Flat clipping: per-sample gradients clipped jointly over all (unmasked) parameter coordinates to norm
 * `maxGradNorm`, then summed over the batch (times opts.scale). Masked (0) coordinates of the sums are not
 * zeroed here. The sums are fresh tensors the caller may modify in place.
 */
export function clippedGradientSum(
  model: Module,
  x: Tensor,
  lossPerExample: LossPerExample,
  maxGradNorm: number,
  opts: ClipOptions = {},
): ClippedSum {
  return tidy(() => {
    const sums: [string, Tensor][] = [];
    const zerosFor = (name: string, p: Tensor): Tensor => {
      // Kept past addClippedGradientSum's scope, then handed to this one (and so to the caller's).
      const t = keep(call<Tensor>('aten::zeros', [p.shape], { dtype: p.dtype }));
      sums.push([name, t]);
      return t;
    };
    try {
      const r = addClippedGradientSum(model, x, lossPerExample, maxGradNorm, zerosFor, opts);
      return { ...r, sums };
    } finally {
      for (const [, t] of sums) track(t);
    }
  });
}

/**
 * The core of DP-SGD's step: adds the (scaled) clipped per-sample gradient sum of each trainable parameter
 * into the buffer `into(name, param)` returns (contiguous, shaped like the parameter; e.g. pre-filled with
 * noise), in place, so no parameter-sized tensor is allocated. `into` is called once per parameter used by
 * the forward pass, in namedParameters order.
 */
export function addClippedGradientSum(
  model: Module,
  x: Tensor,
  lossPerExample: LossPerExample,
  maxGradNorm: number,
  into: (name: string, param: Tensor) => Tensor,
  opts: ClipOptions = {},
): Omit<ClippedSum, 'sums'> {
  return tidy(() => {
    const tr = trace(model, x, lossPerExample);
    return noGrad(() => {
      const lgs = layerGrads(tr.groups, opts);
      const norms = squaredNorms(lgs, opts.masks, x.shape[0], tr.logits).sqrt();
      const factors = norms.add(1e-6).pow(-1).mul(maxGradNorm).clamp(null, 1);
      const weights = opts.scale === undefined || opts.scale === 1 ? factors : factors.mul(opts.scale);
      const used = new Set(lgs.flatMap((lg) => lg.names.map(([n]) => n)));
      const bufs = new Map<string, Tensor>();
      for (const [name, p] of tr.plan.params) if (used.has(name)) bufs.set(name, into(name, p));
      for (const lg of lgs)
        lg.addClippedSum(
          weights,
          lg.names.map(([n]) => bufs.get(n)!),
        );
      return { logits: tr.logits, losses: tr.losses.detach(), norms, factors };
    });
  });
}
