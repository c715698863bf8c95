// A small Vision Transformer for 32x32 images (Dosovitskiy et al. 2021): patch embedding (a strided conv),
// class token, learned position embedding, pre-norm blocks (LayerNorm, multi-head self-attention, LayerNorm,
// GELU MLP of 4x width), final LayerNorm and a linear head on the class token. Parameter names follow timm
// (patch_embed.proj, cls_token, pos_embed, blocks.0.norm1, blocks.0.attn.qkv, blocks.0.mlp.fc1, norm, head).
// Linear/conv layers use PyTorch's default init; cls_token and pos_embed are N(0, 0.02^2).
import { cat, randn, type Generator, type Tensor } from '../../engine/index.ts';
import { definedOnly } from '../../util/defined.ts';
import { InputError } from '../../util/errors.ts';
import { MultiheadSelfAttention } from '../attention.ts';
import { captured } from '../capture.ts';
import { defaultDtype } from '../dtype.ts';
import { LayerNorm } from '../layernorm.ts';
import { Conv2d, Linear, Sequential } from '../layers.ts';
import { Module } from '../module.ts';
import type { ModelEntry } from './types.ts';

export interface VitOptions {
  depth?: number;
  dim?: number;
  heads?: number;
  patch?: number;
}

/** vit-tiny's defaults: ViT-Tiny's width and heads (192, 3) at half its depth (6 blocks), 4x4 patches: 2.7 M parameters. */
export const VIT_TINY: Required<VitOptions> = { depth: 6, dim: 192, heads: 3, patch: 4 };

class PatchEmbed extends Module {
  readonly proj: Conv2d;
  constructor(c: number, dim: number, patch: number, gen: Generator) {
    super();
    this.kindScope = 'embedding';
    this.proj = this.child('proj', new Conv2d(c, dim, patch, gen, { stride: patch }));
  }
  /** [N, C, H, W] -> [N, tokens, dim]. */
  forward(x: Tensor): Tensor {
    return this.proj.forward(x).flatten(2).transpose(1, 2);
  }
}

class Mlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(dim: number, hidden: number, gen: Generator) {
    super();
    this.fc1 = this.child('fc1', new Linear(dim, hidden, gen));
    this.fc2 = this.child('fc2', new Linear(hidden, dim, gen));
  }
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.fc1.forward(x).gelu());
  }
}

class Block extends Module {
  readonly norm1: LayerNorm;
  readonly attn: MultiheadSelfAttention;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp;
  constructor(dim: number, heads: number, gen: Generator) {
    super();
    this.norm1 = this.child('norm1', new LayerNorm(dim, 1e-6));
    this.attn = this.child('attn', new MultiheadSelfAttention(dim, heads, gen));
    this.norm2 = this.child('norm2', new LayerNorm(dim, 1e-6));
    this.mlp = this.child('mlp', new Mlp(dim, 4 * dim, gen));
  }
  forward(x: Tensor): Tensor {
    // Each branch's output is freed once added (autograd saved none of them), as PyTorch frees it.
    const a = this.attn.forward(this.norm1.forward(x));
    const h = x.add(a);
    a.dispose();
    const m = this.mlp.forward(this.norm2.forward(h));
    const out = h.add(m);
    m.dispose();
    return out;
  }
}

export class VisionTransformer extends Module {
  readonly cls_token: Tensor;
  readonly pos_embed: Tensor;
  readonly patch_embed: PatchEmbed;
  readonly blocks: Sequential;
  readonly norm: LayerNorm;
  readonly head: Linear;
  readonly tokens: number;
  constructor(inShape: number[], classes: number, gen: Generator, opts: VitOptions = {}) {
    super();
    const o = { ...VIT_TINY, ...definedOnly(opts) } as Required<VitOptions>;
    if (inShape.length !== 3) throw new InputError(`vit-tiny needs image input [C,H,W], got [${inShape}]`);
    const [c, h, w] = inShape;
    for (const [k, v] of Object.entries(o)) if (!Number.isInteger(v) || v < 1) throw new InputError(`--${k} must be a positive integer, got ${v}`);
    if (h % o.patch !== 0 || w % o.patch !== 0) throw new InputError(`vit-tiny: ${h}x${w} images do not split into ${o.patch}x${o.patch} patches (--patch)`);
    if (o.dim % o.heads !== 0) throw new InputError(`vit-tiny: --dim ${o.dim} is not divisible by --heads ${o.heads}`);
    this.tokens = (h / o.patch) * (w / o.patch);
    this.ownKinds = { cls_token: 'embedding', pos_embed: 'embedding' };
    this.cls_token = this.param('cls_token', randn([1, 1, o.dim], gen, 0, 0.02, defaultDtype()));
    this.pos_embed = this.param('pos_embed', randn([1, this.tokens + 1, o.dim], gen, 0, 0.02, defaultDtype()));
    this.patch_embed = this.child('patch_embed', new PatchEmbed(c, o.dim, o.patch, gen));
    this.blocks = this.child('blocks', new Sequential(...Array.from({ length: o.depth }, () => new Block(o.dim, o.heads, gen))));
    this.norm = this.child('norm', new LayerNorm(o.dim, 1e-6));
    this.head = this.child('head', new Linear(o.dim, classes, gen));
  }
  forward(x: Tensor): Tensor {
    const p = this.patch_embed.forward(x);
    const n = p.shape[0];
    // The token sequence goes through the capture hook (DP-SGD: its gradient gives cls_token's and pos_embed's).
    const t = captured(this, p, cat([this.cls_token.expand([n, 1, this.cls_token.shape[2]]), p], 1).add(this.pos_embed));
    const h = this.norm.forward(this.blocks.forward(t));
    return this.head.forward(h.select(1, 0));
  }
}

const vitInt = (description: string, d: number) => ({ type: 'int', min: 1, default: d, description }) as const;

export const vitTinyModel: ModelEntry = {
  name: 'vit-tiny',
  family: 'vit',
  description: 'small ViT for 32x32 images: patch embedding, class token, pre-norm attention blocks (2.7 M parameters)',
  options: {
    depth: vitInt('ViT blocks', VIT_TINY.depth),
    dim: vitInt('ViT embedding width', VIT_TINY.dim),
    heads: vitInt('ViT attention heads', VIT_TINY.heads),
    patch: vitInt('ViT patch side (pixels)', VIT_TINY.patch),
  },
  build: (spec, inShape, classes, gen) =>
    new VisionTransformer(inShape, classes, gen, { depth: spec.depth as number | undefined, dim: spec.dim as number | undefined, heads: spec.heads as number | undefined, patch: spec.patch as number | undefined }),
};
