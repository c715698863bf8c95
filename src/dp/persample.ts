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
import { call, grad, groupNorm, keep, noGrad, tidy, track, unfold, type Tensor } from '../engine/index.ts';
import { setCapture } from '../nn/capture.ts';
import { BatchNorm, Conv2d, GroupNorm, LayerNorm, Linear, type Module } from '../nn/index.ts';
import { InputError } from '../util/errors.ts';

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

export type ConvMethod = 'grouped' | 'unfold';

export interface ClipOptions extends PerSampleOptions {
  /** Multiplies the clipped sums (e.g. 1 / expected batch size), folded into the clipping factors. */
  scale?: number;
}

type Layer = Linear | Conv2d | GroupNorm | LayerNorm;

interface LayerParams {
  layer: Layer;
  path: string;
  weight: [string, Tensor] | null;
  bias: [string, Tensor] | null;
}

/** The model's trainable parameters (in namedParameters order) and the supported layer owning each. */
interface Plan {
  layers: Map<Module, LayerParams>;
  params: [string, Tensor][];
}

/** The error for models with BatchNorm. */
export const BATCHNORM_MESSAGE = 'DP-SGD cannot train BatchNorm layers (batch statistics mix examples): use --norm group';

/** Throws InputError if the model contains BatchNorm (its batch statistics mix examples). */
export function rejectBatchNorm(model: Module): void {
  for (const [, m] of model.namedModules()) if (m instanceof BatchNorm) throw new InputError(BATCHNORM_MESSAGE);
}

function plan(model: Module): Plan {
  rejectBatchNorm(model);
  const layers = new Map<Module, LayerParams>();
  const params: [string, Tensor][] = [];
  for (const [path, m] of model.namedModules()) {
    const own = m.namedParameters().filter(([n, p]) => !n.includes('.') && p.requiresGrad);
    if (own.length === 0) continue;
    if (!(m instanceof Linear || m instanceof Conv2d || m instanceof GroupNorm || m instanceof LayerNorm)) {
      throw new InputError(
        `per-sample gradients (DP-SGD) do not support layer '${path || '(root)'}' (${m.constructor.name}): ` +
          'supported layers with parameters are Linear, Conv2d, GroupNorm and LayerNorm',
      );
    }
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
    });
  }
  for (const [name, p] of model.namedParameters()) if (p.requiresGrad) params.push([name, p]);
  return { layers, params };
}

interface Trace {
  lp: LayerParams;
  /** The layer's input (detached). */
  a: Tensor;
  /** Gradient of the summed per-example losses with respect to the layer's output. */
  b: Tensor;
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

const bmm = (a: Tensor, b: Tensor): Tensor => call('aten::bmm', [a, b]);

function sumDims(t: Tensor, from: number): Tensor {
  const dims: number[] = [];
  for (let d = from; d < t.shape.length; d++) dims.push(d);
  return dims.length ? t.sum(dims) : t;
}

/**
 * Per-sample gradients of one parameter: `t` is [B, ...paramShape] ('batch-first'), or for Conv2d weights from
 * the grouped convolution [C_in, B, C_out, k, k] ('conv-cbo', left in the layout the convolution writes, so
 * no copy of B times the parameter is made for norms and sums).
 */
interface PerSample {
  t: Tensor;
  layout: 'batch-first' | 'conv-cbo';
}

/** The [B, ...paramShape] tensor of a per-sample gradient (a copy for 'conv-cbo'). */
function batchFirst(ps: PerSample): Tensor {
  return ps.layout === 'batch-first' ? ps.t : ps.t.permute([1, 2, 0, 3, 4]).contiguous();
}

/** ||g_i * mask||^2 per example [B], one reduction pass (a masked copy only where a mask is given). */
function psNormSq(ps: PerSample, mask: Tensor | null): Tensor {
  if (ps.layout === 'batch-first') return rowNormSq(mask ? ps.t.mul(mask) : ps.t);
  const t = mask ? ps.t.mul(mask.permute([1, 0, 2, 3]).unsqueeze(1)) : ps.t;
  return call<Tensor>('aten::linalg_vector_norm', [t, 2, [0, 2, 3, 4], false]).square();
}

/** out += sum_i w_i g_i (out contiguous, shaped like the parameter). */
function psAddWeighted(out: Tensor, ps: PerSample, w: Tensor): void {
  const n = w.shape[0];
  if (ps.layout === 'batch-first') {
    call('aten::addmm_', [out.view([1, -1]), w.unsqueeze(0), ps.t.reshape([n, -1])]);
    return;
  }
  const [c, , o, k] = ps.t.shape;
  // [1, 1, B] x [C, B, O*k*k] -> [C, 1, O*k*k]: one batched matmul over the layout as written.
  const r = w.view([1, 1, n]).matmul(ps.t.reshape([c, n, -1]));
  out.add_(r.view([c, o, k, k]).permute([1, 0, 2, 3]));
}

/** Conv2d per-sample weight gradients by im2col: g_i = B_i U_i^T, U_i = unfold(a_i) [C*k*k, L]. */
function convUnfold(L: Conv2d, a: Tensor, b: Tensor): Tensor {
  const n = a.shape[0];
  const U = unfold(a, L.kernel, L.opts.padding ?? 0, L.opts.stride ?? 1); // [B, C*k*k, L]
  return bmm(b.reshape([n, L.outChannels, -1]), U.transpose(1, 2)).reshape([n, L.outChannels, L.inChannels, L.kernel, L.kernel]);
}

/**
 * The same g_i = B_i U_i^T as one grouped convolution (no im2col buffer): the batch becomes the groups,
 * a's channels the batch, and each B_i[o] the kernel, dilated by the stride:
 * g_i[o, c, u, v] = sum_{h,w} b_i[o, h, w] a_i[c, s h + u - p, s w + v - p].
 */
function convGrouped(L: Conv2d, a: Tensor, b: Tensor): Tensor {
  const [n, , ho, wo] = b.shape;
  const { kernel: k, inChannels: c, outChannels: o } = L;
  const s = L.opts.stride ?? 1;
  let g = call<Tensor>('aten::conv2d', [a.transpose(0, 1), b.reshape([n * o, 1, ho, wo]), null, 1, L.opts.padding ?? 0, s, n]);
  // [C, B*O, k', k'] with k' >= k (k' > k when the stride does not divide the padded extent).
  if (g.shape[2] !== k || g.shape[3] !== k) g = g.narrow(2, 0, k).narrow(3, 0, k).contiguous();
  return g.view([c, n, o, k, k]);
}

/** Per-sample gradients of one use of a layer. */
function materialize(t: Trace, conv: ConvMethod): { weight: PerSample | null; bias: PerSample | null } {
  const bf = (x: Tensor | null): PerSample | null => x && { t: x, layout: 'batch-first' };
  const { lp, a, b } = t;
  const n = a.shape[0];
  const L = lp.layer;
  if (L instanceof Linear) {
    if (a.shape.length === 2) {
      return {
        weight: bf(lp.weight && bmm(b.unsqueeze(2), a.unsqueeze(1))),
        bias: bf(lp.bias && b),
      };
    }
    const A = a.reshape([n, -1, L.inFeatures]);
    const Bm = b.reshape([n, -1, L.outFeatures]);
    return {
      weight: bf(lp.weight && bmm(Bm.transpose(1, 2), A)),
      bias: bf(lp.bias && Bm.sum(1)),
    };
  }
  if (L instanceof Conv2d) {
    let weight: PerSample | null = null;
    if (lp.weight) weight = conv === 'unfold' ? bf(convUnfold(L, a, b)) : { t: convGrouped(L, a, b), layout: 'conv-cbo' };
    return { weight, bias: bf(lp.bias && sumDims(b, 2)) };
  }
  if (L instanceof LayerNorm) {
    // y = xhat * w + bias over the last dim; sum the middle (token) dims.
    const xhat: Tensor = call('aten::layer_norm', [a, [L.dim], null, null, L.eps, false]);
    const mid = (t: Tensor) => (t.shape.length > 2 ? t.reshape([n, -1, L.dim]).sum(1) : t);
    return { weight: bf(lp.weight && mid(b.mul(xhat))), bias: bf(lp.bias && mid(b)) };
  }
  // GroupNorm: y = xhat * w + bias per channel (dim 1).
  const weight = lp.weight ? sumDims(b.mul(groupNorm(a, L.groups, null, null, L.eps)), 2) : null;
  return { weight: bf(weight), bias: bf(lp.bias && sumDims(b, 2)) };
}

function maskFor(masks: Map<string, Tensor> | undefined, name: string, like: Tensor): Tensor | null {
  const m = masks?.get(name);
  if (!m) return null;
  return m.dtype === like.dtype ? m : m.to(like.dtype);
}

/** ||x_i||^2 per row of a [B, ...] tensor, in one pass (no temporary of x's size). */
function rowNormSq(x: Tensor): Tensor {
  return call<Tensor>('aten::linalg_vector_norm', [x.reshape([x.shape[0], -1]), 2, [1], false]).square();
}

/** How one layer contributes: squared per-sample norms, and the c-weighted sum of its per-sample gradients. */
interface LayerGrads {
  names: [string, Tensor][];
  sq(masks?: Map<string, Tensor>): Tensor;
  /** outs[k] += sum_i w_i g_i for each of the layer's parameters (outs[k] contiguous, shaped like the parameter). */
  addClippedSum(w: Tensor, outs: Tensor[]): void;
}

function ghostLinear(t: Trace): LayerGrads {
  const { lp, a, b } = t;
  const names = [lp.weight, lp.bias].filter((e): e is [string, Tensor] => e !== null);
  return {
    names,
    sq(masks) {
      const M = lp.weight && maskFor(masks, lp.weight[0], a);
      const m = lp.bias && maskFor(masks, lp.bias[0], b);
      const b2 = M || m ? b.square() : null;
      const bn = !M || !m ? rowNormSq(b) : null;
      let s: Tensor | null = null;
      if (lp.weight) s = M ? b2!.matmul(M).mul(a.square()).sum(1) : rowNormSq(a).mul(bn!);
      if (lp.bias) {
        const sb = m ? b2!.mul(m).sum(1) : bn!;
        s = s ? s.add(sb) : sb;
      }
      return s!;
    },
    addClippedSum(w, outs) {
      const cb = b.mul(w.unsqueeze(1));
      let k = 0;
      if (lp.weight) call('aten::addmm_', [outs[k++], cb.t(), a]); // written in place: no fresh weight-sized buffer
      if (lp.bias) outs[k].add_(cb.sum(0));
    },
  };
}

function materialized(ts: Trace[], conv: ConvMethod): LayerGrads & { perSample: PerSample[] } {
  const lp = ts[0].lp;
  const names = [lp.weight, lp.bias].filter((e): e is [string, Tensor] => e !== null);
  // A layer used more than once (shared weights): per-sample gradients of its uses add up (same layouts).
  const add = (x: PerSample | null, y: PerSample | null): PerSample | null => (x && y ? { t: x.t.add(y.t), layout: x.layout } : (x ?? y));
  let weight: PerSample | null = null;
  let bias: PerSample | null = null;
  for (const t of ts) {
    const m = materialize(t, conv);
    weight = add(weight, m.weight);
    bias = add(bias, m.bias);
  }
  const perSample = [weight, bias].filter((e): e is PerSample => e !== null);
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
  return groups.map((ts) =>
    ghost && ts.length === 1 && ts[0].lp.layer instanceof Linear && ts[0].a.shape.length === 2
      ? ghostLinear(ts[0])
      : materialized(ts, opts.conv ?? 'grouped'),
  );
}

/**
 * Per-sample gradients of `lossPerExample(model(x))`: parameter name -> [B, ...paramShape], for every
 * trainable parameter used in the forward pass (Linear, Conv2d and GroupNorm layers; others are rejected).
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
      const out: [string, Tensor][] = [];
      for (const g of tr.groups) {
        const m = materialized(g, opts.conv ?? 'grouped');
        m.names.forEach(([name], i) => out.push([name, batchFirst(m.perSample[i])]));
      }
      return out;
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
