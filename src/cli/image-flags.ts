// Flags of the image path: training augmentation and per-channel normalisation (the image models' own
// options, --width, --depth, --dim, --heads, --patch, come from the model registry).
import { parseAugment, parseNormalize } from '../data/index.ts';
import type { Recipe } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import type { OptionTable } from '../util/options.ts';
import type { Flags } from './flags.ts';

export const IMAGE_FLAGS: OptionTable = {
  augment: {
    type: 'string',
    value: 'none|flip|crop|flip,crop',
    defaultText: 'flip,crop on image datasets, else none',
    description: 'training augmentation: horizontal flip (p 0.5), reflect-pad --pad then a random crop',
  },
  pad: { type: 'int', min: 1, default: 4, description: 'reflect padding (pixels) of the random crop' },
  normalize: {
    type: 'string',
    value: 'population|none|M,../S,..',
    defaultText: 'population on image datasets, else none',
    description: 'per-channel normalisation: computed on the population (recorded in the recipe), none, or given',
  },
};

/** --augment / --pad and --normalize over the preset `d` (image datasets: flip,crop with pad 4, population). */
export function imageRecipeFromFlags(f: Flags, d: Recipe): Pick<Recipe, 'augment' | 'normalize'> {
  const pad = f.get<number>('pad');
  const given = f.opt<string>('augment');
  const augment = given !== undefined ? parseAugment(given, pad) : d.augment ? { ...d.augment, pad } : null;
  if (f.has('pad') && !augment?.crop) throw new InputError('--pad applies to --augment crop or flip,crop');
  const norm = f.opt<string>('normalize');
  const normalize = norm !== undefined ? parseNormalize(norm) : (d.normalize ?? null);
  return { ...(augment ? { augment } : {}), ...(normalize ? { normalize } : {}) };
}
