// Image augmentation and test-time queries as batched engine ops on [N, C, H, W] tensors: horizontal flip,
// reflect padding and random crops (training), mirror x fixed shifts (LiRA's queries).
import { arange, call, rand, randint, where, type Generator, type Tensor } from '../engine/index.ts';
import { InputError } from '../util/errors.ts';

/** Training augmentation of a recipe: flip (p 0.5) and/or reflect-pad `pad` pixels then a random crop of the image's size. */
export interface AugmentSpec {
  flip: boolean;
  crop: boolean;
  /** Reflect padding before the random crop (pixels; the LiRA/CIFAR setting is 4). */
  pad: number;
}

/** The names `--augment` takes. */
export const AUGMENT_CHOICES = ['none', 'flip', 'crop', 'flip,crop'] as const;

/** Parses `none`, `flip`, `crop` or `flip,crop` (either order) into a spec (null for none). */
export function parseAugment(text: string, pad = 4): AugmentSpec | null {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 1 && parts[0] === 'none') return null;
  if (parts.length === 0 || parts.some((p) => p !== 'flip' && p !== 'crop') || new Set(parts).size !== parts.length)
    throw new InputError(`--augment must be none, flip, crop or flip,crop, got '${text}'`);
  if (!Number.isInteger(pad) || pad < 1) throw new InputError(`--pad must be an integer >= 1, got ${pad}`);
  return { flip: parts.includes('flip'), crop: parts.includes('crop'), pad };
}

/** Throws an InputError when `spec` cannot apply to examples of `shape` (not images, or too small to pad). */
export function checkAugment(spec: AugmentSpec, shape: number[], what = '--augment'): void {
  if (shape.length !== 3) throw new InputError(`${what} ${describe(spec)} needs image data [C,H,W], this dataset's examples are [${shape}]`);
  const [, h, w] = shape;
  if (spec.crop && (h <= spec.pad || w <= spec.pad))
    throw new InputError(`${what}: images of ${h}x${w} are smaller than the crop's reflect padding (--pad ${spec.pad} needs sides > ${spec.pad})`);
}

function describe(spec: AugmentSpec): string {
  return [spec.flip ? 'flip' : '', spec.crop ? 'crop' : ''].filter(Boolean).join(',');
}

/** Mirrors images along their width. */
export function hflip(x: Tensor): Tensor {
  return call('aten::flip', [x, [3]]);
}

/** Reflect-pads images by `pad` pixels on each side. */
export function reflectPad(x: Tensor, pad: number): Tensor {
  return call('aten::reflection_pad2d', [x, [pad, pad, pad, pad]]);
}

/**
 * One random augmentation of a batch, drawn from `gen` (a flip draw per image, then a crop offset pair per
 * image), so a model's recipe seed replays it exactly. The caller owns the scope (use inside tidy()).
 */
export function augmentBatch(x: Tensor, spec: AugmentSpec, gen: Generator): Tensor {
  const [n, c, h, w] = x.shape;
  let out = x;
  if (spec.flip) {
    const flip = rand([n], gen).lt(0.5).view([n, 1, 1, 1]);
    out = where(flip, hflip(out), out);
  }
  if (spec.crop) {
    const p = spec.pad;
    const padded = reflectPad(out, p);
    const oy = randint(0, 2 * p + 1, [n], gen);
    const ox = randint(0, 2 * p + 1, [n], gen);
    const rows = oy.view([n, 1]).add(arange(h).view([1, h])).view([n, 1, h, 1]).expand([n, c, h, w + 2 * p]);
    const cols = ox.view([n, 1]).add(arange(w).view([1, w])).view([n, 1, 1, w]).expand([n, c, h, w]);
    out = padded.gather(2, rows).gather(3, cols);
  }
  return out;
}

/** A LiRA query: optional mirror, then a shift by (dx, dy) pixels with reflect padding. */
export interface Query {
  flip: boolean;
  dx: number;
  dy: number;
}

/**
 * The queries of `cwrf audit --queries q`: 1 = the image; 2 = plus its mirror; 18 = mirror x shifts {-4, 0, +4}^2.
 * Query 0 is always the image itself and query 1 (when q >= 2) its mirror.
 */
export function liraQueries(q: number, shift = 4): Query[] {
  if (q === 1) return [{ flip: false, dx: 0, dy: 0 }];
  if (q === 2) return [{ flip: false, dx: 0, dy: 0 }, { flip: true, dx: 0, dy: 0 }];
  if (q === 18) {
    const out: Query[] = [];
    for (const dy of [0, -shift, shift]) for (const dx of [0, -shift, shift]) for (const flip of [false, true]) out.push({ flip, dx, dy });
    return out;
  }
  throw new InputError(`--queries must be 1, 2 or 18, got ${q}`);
}

/** Applies one query to a batch of images (reflect padding for shifts). */
export function applyQuery(x: Tensor, q: Query, pad = 4): Tensor {
  let out = q.flip ? hflip(x) : x;
  if (q.dx !== 0 || q.dy !== 0) {
    const [, , h, w] = out.shape;
    out = reflectPad(out, pad).narrow(2, pad + q.dy, h).narrow(3, pad + q.dx, w);
  }
  return out;
}
