// What a model family registers: its name, options (flags) and builder.
import type { Generator } from '../../engine/index.ts';
import type { Entry, OptionTable } from '../../util/options.ts';
import type { ActivationName } from '../layers.ts';
import type { Module } from '../module.ts';

export type NormKind = 'batch' | 'group' | 'none';

/** Architecture description stored in a run's recipe: the family's name and its options. */
export interface ModelSpec {
  arch: string;
  hidden?: number[];
  activation?: ActivationName;
  norm?: NormKind;
  [option: string]: unknown;
}

/** A model family of the registry (src/nn/models/index.ts). */
export interface ModelEntry extends Entry {
  /**
   * The family's recipe family on images: 'resnet' (ResNets, WRN: the paper authors' CIFAR recipe, SGD with step
   * decay, and a defense fine-tune of a fifth of the training epochs) or 'vit' (the small-ViT recipe, AdamW,
   * cosine); absent: the dataset's preset as it is.
   */
  family?: 'resnet' | 'vit';
  /** Options the family reads from its spec (flag name -> spec field `key`). */
  options: OptionTable;
  /** Placeholder of the family's argument in `--model NAME:ARG` (e.g. onnx:PATH.onnx); absent: takes none. */
  argument?: string;
  /** The spec of `--model NAME:ARG` from ARG and the family's parsed options (read files, record hashes). */
  fromArgument?(arg: string, options: Record<string, unknown>): ModelSpec;
  /** Checks a recorded spec (InputError naming the problem). */
  validate?(spec: ModelSpec): void;
  /** Builds the model of `spec` for inputs of `inShape` and `classes` outputs; InputError on bad input. */
  build(spec: ModelSpec, inShape: number[], classes: number, gen: Generator): Module;
}
