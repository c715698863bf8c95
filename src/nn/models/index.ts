// The model registry: one file per family; add a family with one line here.
import type { Generator } from '../../engine/index.ts';
import { Registry } from '../../util/options.ts';
import type { Module } from '../module.ts';
import { mlpModel } from './mlp.ts';
import { onnxModel } from './onnx.ts';
import { resnet18Model } from './resnet.ts';
import { smallCnnModel } from './small-cnn.ts';
import type { ModelEntry, ModelSpec } from './types.ts';
import { cifarResNetModels } from './resnet-cifar.ts';
import { wrn164Model } from './wrn.ts';
import { vitTinyModel } from './vit.ts';

export type { ModelEntry, ModelSpec, NormKind } from './types.ts';
export { mlp } from './mlp.ts';
export { smallCnn } from './small-cnn.ts';
export { ResNet18 } from './resnet.ts';

/** Every model family, by `arch` name. */
export const MODELS = new Registry<ModelEntry>('model').add(mlpModel, smallCnnModel, resnet18Model, ...cifarResNetModels, wrn164Model, vitTinyModel, onnxModel);

/** The recipe family of the architecture `arch` (its entry's; none for an unknown name). */
export function modelFamily(arch: string): ModelEntry['family'] {
  return MODELS.has(arch) ? MODELS.get(arch).family : undefined;
}

/** Builds the model of `spec` for inputs of `inShape` and `classes` outputs. */
export function buildModel(spec: ModelSpec, inShape: number[], classes: number, gen: Generator): Module {
  return MODELS.get(spec.arch).build(spec, inShape, classes, gen);
}
