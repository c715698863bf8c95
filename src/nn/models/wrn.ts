// Wide ResNet (Zagoruyko & Komodakis 2016), pre-activation blocks, depth 6n + 4, widths 16, 16k, 32k, 64k;
// wrn16-4 is depth 16, k 4 (2.7 M parameters). Parameter names follow xternalz/WideResNet-pytorch
// (conv1, block1.layer.0.bn1, ..., convShortcut, bn1, fc); dropout 0.
import type { Generator, Tensor } from '../../engine/index.ts';
import { InputError } from '../../util/errors.ts';
import { AdaptiveAvgPool2d, Conv2d, Linear, Sequential } from '../layers.ts';
import { Module } from '../module.ts';
import { normLayer, normOption } from './norm.ts';
import type { ModelEntry, NormKind } from './types.ts';

class WideBlock extends Module {
  readonly bn1: Module;
  readonly conv1: Conv2d;
  readonly bn2: Module;
  readonly conv2: Conv2d;
  readonly convShortcut: Conv2d | null;
  constructor(inC: number, outC: number, stride: number, gen: Generator, norm: NormKind) {
    super();
    this.bn1 = this.child('bn1', normLayer(norm, inC));
    this.conv1 = this.child('conv1', new Conv2d(inC, outC, 3, gen, { stride, padding: 1, bias: false }));
    this.bn2 = this.child('bn2', normLayer(norm, outC));
    this.conv2 = this.child('conv2', new Conv2d(outC, outC, 3, gen, { padding: 1, bias: false }));
    this.convShortcut = inC !== outC || stride !== 1 ? this.child('convShortcut', new Conv2d(inC, outC, 1, gen, { stride, bias: false })) : null;
  }
  forward(x: Tensor): Tensor {
    const a = this.bn1.forward(x).relu();
    const out = this.conv2.forward(this.bn2.forward(this.conv1.forward(a)).relu());
    return out.add(this.convShortcut ? this.convShortcut.forward(a) : x);
  }
}

class NetworkBlock extends Module {
  readonly layer: Sequential;
  constructor(n: number, inC: number, outC: number, stride: number, gen: Generator, norm: NormKind) {
    super();
    const blocks = Array.from({ length: n }, (_, i) => new WideBlock(i === 0 ? inC : outC, outC, i === 0 ? stride : 1, gen, norm));
    this.layer = this.child('layer', new Sequential(...blocks));
  }
  forward(x: Tensor): Tensor {
    return this.layer.forward(x);
  }
}

export class WideResNet extends Module {
  readonly conv1: Conv2d;
  readonly stages: NetworkBlock[];
  readonly bn1: Module;
  readonly fc: Linear;
  readonly pool = new AdaptiveAvgPool2d(1);
  constructor(depth: number, k: number, inShape: number[], classes: number, gen: Generator, norm: NormKind = 'batch') {
    super();
    if (inShape.length !== 3) throw new InputError(`wrn${depth}-${k} needs image input [C,H,W], got [${inShape}]`);
    if ((depth - 4) % 6 !== 0) throw new InputError(`a Wide ResNet's depth must be 6n + 4, got ${depth}`);
    const [c, h, w] = inShape;
    if (h < 4 || w < 4) throw new InputError(`wrn${depth}-${k} needs images of at least 4x4, got ${h}x${w}`);
    const n = (depth - 4) / 6;
    const widths = [16, 16 * k, 32 * k, 64 * k];
    this.conv1 = this.child('conv1', new Conv2d(c, widths[0], 3, gen, { padding: 1, bias: false }));
    this.stages = [1, 2, 3].map((s) => this.child(`block${s}`, new NetworkBlock(n, widths[s - 1], widths[s], s === 1 ? 1 : 2, gen, norm)));
    this.bn1 = this.child('bn1', normLayer(norm, widths[3]));
    this.fc = this.child('fc', new Linear(widths[3], classes, gen));
  }
  forward(x: Tensor): Tensor {
    let h = this.conv1.forward(x);
    for (const s of this.stages) h = s.forward(h);
    return this.fc.forward(this.pool.forward(this.bn1.forward(h).relu()).flatten(1));
  }
}

export const wrn164Model: ModelEntry = {
  name: 'wrn16-4',
  description: 'Wide ResNet 16-4 (pre-activation, 1x1 conv shortcuts)',
  family: 'resnet',
  options: { norm: normOption('batch') },
  build: (spec, inShape, classes, gen) => new WideResNet(16, 4, inShape, classes, gen, spec.norm ?? 'batch'),
};
