// The architectures of the membership-inference literature, with torch-compatible parameter names.
import type { Generator, Tensor } from '../engine/index.ts';
import { InputError } from '../util/errors.ts';
import {
  Activation,
  AdaptiveAvgPool2d,
  BatchNorm,
  Conv2d,
  Flatten,
  GroupNorm,
  Linear,
  MaxPool2d,
  Sequential,
  type ActivationName,
} from './layers.ts';
import { Module } from './module.ts';
import { buildOnnxModel, type OnnxModelSpec } from './onnx/spec.ts';

/** Fully connected net, sizes = [in, hidden..., classes] (Location: 446-1024-512-256-128-30, tanh). */
export function mlp(sizes: number[], activation: ActivationName, gen: Generator): Sequential {
  if (sizes.length < 2) throw new InputError('mlp needs at least an input and an output size');
  const layers: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Linear(sizes[i], sizes[i + 1], gen));
    if (i + 2 < sizes.length) layers.push(new Activation(activation));
  }
  return new Sequential(...layers);
}

export type NormKind = 'batch' | 'group' | 'none';
function norm(kind: NormKind, c: number): Module[] {
  if (kind === 'batch') return [new BatchNorm(c)];
  if (kind === 'group') return [new GroupNorm(Math.min(32, c), c)];
  return [];
}

/** Small CNN of the MIA literature: 2 conv blocks (32, 64 channels) then a 128-unit hidden layer. */
export function smallCnn(inShape: number[], classes: number, gen: Generator, normKind: NormKind = 'none'): Sequential {
  const [c, h, w] = inShape;
  if (inShape.length !== 3) throw new InputError(`smallcnn needs image input [C,H,W], got [${inShape}]`);
  const flat = 64 * Math.floor(h / 4) * Math.floor(w / 4);
  return new Sequential(
    new Conv2d(c, 32, 3, gen, { padding: 1 }),
    ...norm(normKind, 32),
    new Activation('relu'),
    new MaxPool2d(2),
    new Conv2d(32, 64, 3, gen, { padding: 1 }),
    ...norm(normKind, 64),
    new Activation('relu'),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(flat, 128, gen),
    new Activation('relu'),
    new Linear(128, classes, gen),
  );
}

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

/** Architecture description stored in a run's recipe. */
export interface ModelSpec extends Partial<Omit<OnnxModelSpec, 'arch'>> {
  arch: 'mlp' | 'smallcnn' | 'resnet18' | 'onnx';
  hidden?: number[];
  activation?: ActivationName;
  norm?: NormKind;
}

/** Builds the model of `spec` for inputs of `inShape` and `classes` outputs. */
export function buildModel(spec: ModelSpec, inShape: number[], classes: number, gen: Generator): Module {
  switch (spec.arch) {
    case 'mlp': {
      const inF = inShape.reduce((a, b) => a * b, 1);
      const net = mlp([inF, ...(spec.hidden ?? [1024, 512, 256, 128]), classes], spec.activation ?? 'tanh', gen);
      return inShape.length > 1 ? new Sequential(new Flatten(), net) : net;
    }
    case 'smallcnn':
      return smallCnn(inShape, classes, gen, spec.norm ?? 'none');
    case 'resnet18':
      if (inShape.length !== 3) throw new InputError(`resnet18 needs image input [C,H,W], got [${inShape}]`);
      return new ResNet18(inShape[0], classes, gen, spec.norm ?? 'batch');
    case 'onnx':
      return buildOnnxModel(spec as OnnxModelSpec, inShape, classes, gen);
    default:
      throw new InputError(`unknown model '${(spec as ModelSpec).arch}' (mlp, smallcnn, resnet18, onnx:PATH)`);
  }
}
