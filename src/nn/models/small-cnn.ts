// The small CNN of the membership-inference literature (CIFAR-size images).
import type { Generator } from '../../engine/index.ts';
import { InputError } from '../../util/errors.ts';
import { Activation, Conv2d, Flatten, Linear, MaxPool2d, Sequential } from '../layers.ts';
import { norm, normOption } from './norm.ts';
import type { ModelEntry, NormKind } from './types.ts';

/** Small CNN of the MIA literature: 2 conv blocks (32, 64 channels) then a 128-unit hidden layer. */
export function smallCnn(inShape: number[], classes: number, gen: Generator, normKind: NormKind = 'none'): Sequential {
  const [c, h, w] = inShape;
  if (inShape.length !== 3) throw new InputError(`smallcnn needs image input [C,H,W], got [${inShape}]`);
  if (h < 4 || w < 4) throw new InputError(`smallcnn needs images of at least 4x4 (two 2x2 max-pools), got ${h}x${w}`);
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

export const smallCnnModel: ModelEntry = {
  name: 'smallcnn',
  description: 'two conv blocks (32, 64 channels, max-pool) and a 128-unit hidden layer',
  options: { norm: normOption('none') },
  build: (spec, inShape, classes, gen) => smallCnn(inShape, classes, gen, spec.norm ?? 'none'),
};
