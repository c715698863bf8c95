// A defense stage's defaults per model family, chosen from measurements (README, "Defaults per model family").
import { modelFamily } from '../../nn/index.ts';
import type { Recipe } from '../../train/index.ts';
import type { CwrfStage } from './cwrf.ts';

/**
 * What differs from CWRF_DEFAULTS for the recipe's model family. Image ResNets/WRN fine-tune for a fifth of the
 * training epochs: on resnet20 / CIFAR-10 (docs/bench-cifar10.md, 2 seeds) 4 of 20 epochs lowered LiRA AUC and
 * TPR@0.1% in both seeds, while 10 of 20 re-memorised (LiRA AUC 3.1 and 6.0 points above the base).
 */
export function familyStageDefaults(recipe: Pick<Recipe, 'model' | 'epochs'>): Partial<CwrfStage> {
  return modelFamily(recipe.model.arch) === 'resnet' ? { epochs: Math.max(1, Math.round(recipe.epochs / 5)) } : {};
}
