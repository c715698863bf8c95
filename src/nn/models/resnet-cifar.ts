// CIFAR ResNets of He et al. 2016 (section 4.2): 3 stages of n basic blocks at 16/32/64 channels (times
// `width`), depth 6n + 2 (resnet20, 32, 56). Option A shortcuts: parameter-free, stride-2 subsampling with
// zero-padded channels, as the paper's CIFAR experiments (and akamaster/pytorch_resnet_cifar10, whose
// parameter names these follow: conv1, bn1, layer1.0.conv1, ..., linear).
import { call, type Generator, type Tensor } from '../../engine/index.ts';
import { InputError } from '../../util/errors.ts';
import { AdaptiveAvgPool2d, Conv2d, Linear, Sequential } from '../layers.ts';
import { Module } from '../module.ts';
import { normLayer, normOption } from './norm.ts';
import type { ModelEntry, NormKind } from './types.ts';

/** Option A shortcut: x[:, :, ::s, ::s] with the new channels zero-padded equally on both sides. */
function shortcutA(x: Tensor, stride: number, outC: number): Tensor {
  let h = x;
  if (stride !== 1) h = call<Tensor>('aten::slice.Tensor', [call<Tensor>('aten::slice.Tensor', [h, 2, 0, null, stride]), 3, 0, null, stride]);
  const extra = outC - x.shape[1];
  if (extra === 0) return h;
  const lo = Math.floor(extra / 2);
  return call('aten::constant_pad_nd', [h, [0, 0, 0, 0, lo, extra - lo], 0]);
}

class CifarBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: Module;
  readonly conv2: Conv2d;
  readonly bn2: Module;
  constructor(readonly inC: number, readonly outC: number, readonly stride: number, gen: Generator, norm: NormKind) {
    super();
    this.conv1 = this.child('conv1', new Conv2d(inC, outC, 3, gen, { stride, padding: 1, bias: false }));
    this.bn1 = this.child('bn1', normLayer(norm, outC));
    this.conv2 = this.child('conv2', new Conv2d(outC, outC, 3, gen, { padding: 1, bias: false }));
    this.bn2 = this.child('bn2', normLayer(norm, outC));
  }
  forward(x: Tensor): Tensor {
    const out = this.bn2.forward(this.conv2.forward(this.bn1.forward(this.conv1.forward(x)).relu()));
    const sc = this.stride !== 1 || this.inC !== this.outC ? shortcutA(x, this.stride, this.outC) : x;
    return out.add(sc).relu();
  }
}

/** Depths of the named CIFAR ResNets. */
export const CIFAR_RESNET_DEPTHS = { resnet20: 20, resnet32: 32, resnet56: 56 } as const;

export class CifarResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: Module;
  readonly blocks: CifarBlock[] = [];
  readonly linear: Linear;
  readonly pool = new AdaptiveAvgPool2d(1);
  constructor(depth: number, inShape: number[], classes: number, gen: Generator, o: { width?: number; norm?: NormKind } = {}) {
    super();
    if (inShape.length !== 3) throw new InputError(`resnet${depth} needs image input [C,H,W], got [${inShape}]`);
    if ((depth - 2) % 6 !== 0 || depth < 8) throw new InputError(`a CIFAR ResNet's depth must be 6n + 2, got ${depth}`);
    const [c, h, w] = inShape;
    if (h < 4 || w < 4) throw new InputError(`resnet${depth} needs images of at least 4x4 (two stride-2 stages), got ${h}x${w}`);
    const width = o.width ?? 1;
    if (!(width > 0) || !Number.isInteger(16 * width)) throw new InputError(`--width must be a positive multiple of 1/16, got ${width}`);
    const norm = o.norm ?? 'batch';
    const n = (depth - 2) / 6;
    const widths = [16, 32, 64].map((x) => Math.round(x * width));
    this.conv1 = this.child('conv1', new Conv2d(c, widths[0], 3, gen, { padding: 1, bias: false }));
    this.bn1 = this.child('bn1', normLayer(norm, widths[0]));
    let inC = widths[0];
    widths.forEach((outC, stage) => {
      const blocks: CifarBlock[] = [];
      for (let b = 0; b < n; b++) {
        blocks.push(new CifarBlock(inC, outC, stage > 0 && b === 0 ? 2 : 1, gen, norm));
        inC = outC;
      }
      this.blocks.push(...blocks);
      this.child(`layer${stage + 1}`, new Sequential(...blocks));
    });
    this.linear = this.child('linear', new Linear(inC, classes, gen));
  }
  forward(x: Tensor): Tensor {
    let h = this.bn1.forward(this.conv1.forward(x)).relu();
    for (const b of this.blocks) {
      const next = b.forward(h);
      if (h !== x) h.dispose();
      h = next;
    }
    return this.linear.forward(this.pool.forward(h).flatten(1));
  }
}

const widthOption = { type: 'number', min: 1 / 16, default: 1, description: 'channel multiplier of resnet20/32/56 (16/32/64 channels times this)' } as const;

/** resnet20, resnet32, resnet56 for the model registry. */
export const cifarResNetModels: ModelEntry[] = (Object.keys(CIFAR_RESNET_DEPTHS) as (keyof typeof CIFAR_RESNET_DEPTHS)[]).map((name) => ({
  name,
  description: `CIFAR ResNet-${CIFAR_RESNET_DEPTHS[name]} (He et al.), option A shortcuts, --width multiplier`,
  family: 'resnet' as const,
  options: { norm: normOption('batch'), width: widthOption },
  build: (spec, inShape, classes, gen) =>
    new CifarResNet(CIFAR_RESNET_DEPTHS[name], inShape, classes, gen, { width: spec.width as number | undefined, norm: spec.norm ?? 'batch' }),
}));
