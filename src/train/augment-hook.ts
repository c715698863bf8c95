// The recipe's training augmentation as a fit() batch transform, with its own seeded random stream.
import { Generator } from '../engine/index.ts';
import { augmentBatch, checkAugment } from '../data/index.ts';
import { Rng } from '../util/rng.ts';
import type { FitOptions } from './loop.ts';
import type { Recipe } from './recipe.ts';

/**
 * fit()'s `transform` for the recipe's augmentation and the generator it draws from (named `label` among
 * the checkpointed streams), derived from the recipe's seed; nothing when the recipe has no augmentation.
 */
export function augmentHooks(
  recipe: Pick<Recipe, 'augment' | 'seed'>,
  shape: number[],
  label = 'augment',
): { transform?: FitOptions['transform']; generators: Record<string, Generator> } {
  const spec = recipe.augment;
  if (!spec) return { generators: {} };
  checkAugment(spec, shape);
  const gen = new Generator(Rng.deriveSeed(recipe.seed, label));
  return { transform: (x) => augmentBatch(x, spec, gen), generators: { [label]: gen } };
}
