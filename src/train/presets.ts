// Default recipes per dataset: the settings of the membership-inference literature.
import type { Recipe } from './recipe.ts';

/** The recipe cwrf uses for `dataset` when no flag overrides it. */
export function defaultRecipe(dataset: string): Recipe {
  const base: Recipe = {
    dataset,
    split: { seed: 0, referenceFraction: 0.1 },
    model: { arch: 'mlp', hidden: [1024, 512, 256, 128], activation: 'tanh' },
    optimizer: { name: 'adam', lr: 1e-3 },
    schedule: { name: 'constant' },
    objective: { name: 'ce' },
    epochs: 30,
    batchSize: 128,
    seed: 0,
    memberSeed: 0,
    defenses: [],
  };
  const name = dataset.split(':')[0];
  if (name === 'mnist') return { ...base, model: { arch: 'mlp', hidden: [512, 256], activation: 'relu' } };
  if (name === 'purchase100' || name === 'texas100') return base;
  if (name.startsWith('cifar') || name === 'imagefolder')
    return {
      ...base,
      model: { arch: 'smallcnn', norm: 'none' },
      epochs: 20,
      batchSize: 64,
      optimizer: { name: 'adam', lr: 1e-3 },
    };
  return base;
}

