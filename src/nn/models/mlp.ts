// Fully connected nets (the tabular benchmarks of the membership-inference literature).
import type { Generator } from '../../engine/index.ts';
import { InputError } from '../../util/errors.ts';
import { Activation, Flatten, Linear, Sequential, type ActivationName } from '../layers.ts';
import type { Module } from '../module.ts';
import type { ModelEntry } from './types.ts';

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

export const mlpModel: ModelEntry = {
  name: 'mlp',
  description: 'fully connected net (inputs flattened), hidden layers of --hidden units',
  options: {
    hidden: {
      type: 'int-list',
      min: 1,
      default: [1024, 512, 256, 128],
      description: 'hidden layer sizes, comma-separated (the dataset preset overrides the default)',
    },
    activation: { type: 'choice', choices: ['relu', 'tanh', 'gelu', 'sigmoid'], default: 'tanh', description: 'activation between layers' },
  },
  build(spec, inShape, classes, gen) {
    const inF = inShape.reduce((a, b) => a * b, 1);
    const net = mlp([inF, ...(spec.hidden ?? [1024, 512, 256, 128]), classes], spec.activation ?? 'tanh', gen);
    return inShape.length > 1 ? new Sequential(new Flatten(), net) : net;
  },
};
