// Default recipes per dataset: the settings of the membership-inference literature.
import { datasetKind } from '../data/index.ts';
import { modelFamily } from '../nn/index.ts';
import type { Recipe } from './recipe.ts';

/** Image datasets (their entry's kind): trained with LiRA's augmentation (flip + 4-pixel reflect-pad crops) on population-normalised inputs. */
export function isImageDataset(dataset: string): boolean {
  return datasetKind(dataset) === 'image';
}

/**
 * The recipe cwrf uses for `dataset` (and `arch`, when given) when no flag overrides it. On image datasets the
 * CIFAR ResNets and WRN follow the paper authors' CIFAR recipe (SGD momentum 0.9, weight decay 5e-4, lr 0.01,
 * x0.1 at 50% and 80% of the epochs, batch 256, 100 epochs: shared/SPECS.md), ViT-tiny the usual small-ViT
 * recipe (AdamW lr 1e-3, weight decay 0.05, cosine, batch 128).
 */
export function defaultRecipe(dataset: string, arch?: string): Recipe {
  const d = datasetRecipe(dataset);
  if (!arch || arch === d.model.arch || !isImageDataset(dataset)) return d;
  const family = modelFamily(arch);
  if (family === 'resnet')
    return {
      ...d,
      model: { arch: arch as Recipe['model']['arch'] },
      optimizer: { name: 'sgd', lr: 0.01, momentum: 0.9, nesterov: false, weightDecay: 5e-4 },
      schedule: { name: 'multistep', milestones: [0.5, 0.8], gamma: 0.1 },
      epochs: 100,
      batchSize: 256,
    };
  if (family === 'vit')
    return { ...d, model: { arch }, optimizer: { name: 'adamw', lr: 1e-3, weightDecay: 0.05 }, schedule: { name: 'cosine' }, epochs: 100, batchSize: 128 };
  return d;
}

function datasetRecipe(dataset: string): Recipe {
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
  if (isImageDataset(dataset))
    return {
      ...base,
      model: { arch: 'smallcnn', norm: 'none' },
      epochs: 20,
      batchSize: 64,
      optimizer: { name: 'adam', lr: 1e-3 },
      augment: { flip: true, crop: true, pad: 4 },
      normalize: 'population',
    };
  return base;
}

