// ResNet, CIFAR variant (3x3 stem, no max-pool), as in the LiRA/RMIA/CWRF experiments.
import type { Generator, Tensor } from '../../engine/index.ts';
import { InputError } from '../../util/errors.ts';
import { Activation, AdaptiveAvgPool2d, Conv2d, Linear, Sequential } from '../layers.ts';
import { Module } from '../module.ts';
import { norm, normOption } from './norm.ts';
import type { ModelEntry, NormKind } from './types.ts';

class BasicBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: Module;
  readonly conv2: Conv2d;
  readonly bn2: Module;
  readonly shortcut: Sequential | null;
  constructor(inC: number, outC: number, stride: number, gen: Generator, normKind: NormKind) {
    super();
    const mkNorm = (ch: number) => norm(normKind, ch)[0] ?? new Sequential();
    this.conv1 = this.child('conv1', new Conv2d(inC, outC, 3, gen, { stride, padding: 1, bias: false }));
    this.bn1 = this.child('bn1', mkNorm(outC));
    this.conv2 = this.child('conv2', new Conv2d(outC, outC, 3, gen, { padding: 1, bias: false }));
    this.bn2 = this.child('bn2', mkNorm(outC));
    this.shortcut =
      stride !== 1 || inC !== outC
        ? this.child('shortcut', new Sequential(new Conv2d(inC, outC, 1, gen, { stride, bias: false }), mkNorm(outC)))
        : null;
  }
  forward(x: Tensor): Tensor {
    const out = this.bn2.forward(this.conv2.forward(this.bn1.forward(this.conv1.forward(x)).relu()));
    const sc = this.shortcut ? this.shortcut.forward(x) : x;
    return out.add(sc).relu();
  }
}

/** ResNet-18, CIFAR variant (3x3 stem, no max-pool), as in the LiRA/RMIA/CWRF experiments. */
export class ResNet18 extends Module {
  readonly stem: Sequential;
  readonly blocks: BasicBlock[] = [];
  readonly fc: Linear;
  readonly pool = new AdaptiveAvgPool2d(1);
  constructor(inChannels: number, classes: number, gen: Generator, normKind: NormKind = 'batch') {
    super();
    this.stem = this.child(
      'stem',
      new Sequential(new Conv2d(inChannels, 64, 3, gen, { padding: 1, bias: false }), ...norm(normKind, 64), new Activation('relu')),
    );
    let inC = 64;
    [64, 128, 256, 512].forEach((c, li) => {
      const layer = new Sequential(new BasicBlock(inC, c, li === 0 ? 1 : 2, gen, normKind), new BasicBlock(c, c, 1, gen, normKind));
      this.child(`layer${li + 1}`, layer);
      this.blocks.push(...(layer.layers as BasicBlock[]));
      inC = c;
    });
    this.fc = this.child('fc', new Linear(512, classes, gen));
  }
  forward(x: Tensor): Tensor {
    let h = this.stem.forward(x);
    for (const b of this.blocks) h = b.forward(h);
    return this.fc.forward(this.pool.forward(h).flatten(1));
  }
}

export const resnet18Model: ModelEntry = {
  name: 'resnet18',
  description: 'ResNet-18, CIFAR variant (3x3 stem, no max-pool)',
  family: 'resnet',
  options: { norm: normOption('batch') },
  build(spec, inShape, classes, gen) {
    if (inShape.length !== 3) throw new InputError(`resnet18 needs image input [C,H,W], got [${inShape}]`);
    return new ResNet18(inShape[0], classes, gen, spec.norm ?? 'batch');
  },
};
