// Flags of the image path: augmentation, normalisation and the image models' shape options.
import { parseAugment, parseNormalize } from '../data/index.ts';
import type { ModelSpec } from '../nn/index.ts';
import type { Recipe } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import { numberFlag, type Options, type Values } from './command.ts';

export const IMAGE_FLAGS: Options = {
  augment: { type: 'string' },
  pad: { type: 'string' },
  normalize: { type: 'string' },
  width: { type: 'string' },
  depth: { type: 'string' },
  dim: { type: 'string' },
  heads: { type: 'string' },
  patch: { type: 'string' },
  milestones: { type: 'string' },
};

const VIT_FLAGS = ['depth', 'dim', 'heads', 'patch'] as const;

/** The model spec with --width (CIFAR ResNets) and --depth/--dim/--heads/--patch (ViT) applied. */
export function modelFromFlags(v: Values, base: ModelSpec): ModelSpec {
  const m = { ...base };
  if (v.width !== undefined) {
    if (!/^resnet(20|32|56)$/.test(m.arch)) throw new InputError(`--width applies to resnet20, resnet32 and resnet56, not ${m.arch}`);
    m.width = numberFlag(v, 'width', 1, { min: 1 / 16 });
  }
  for (const k of VIT_FLAGS) {
    if (v[k] === undefined) continue;
    if (m.arch !== 'vit-tiny') throw new InputError(`--${k} applies to vit-tiny, not ${m.arch}`);
    m[k] = numberFlag(v, k, 1, { int: true, min: 1 });
  }
  return m;
}

/** --augment / --pad and --normalize over the defaults `d` (image datasets: flip,crop with pad 4, population). */
export function imageRecipeFromFlags(v: Values, d: Recipe): Pick<Recipe, 'augment' | 'normalize'> {
  const pad = numberFlag(v, 'pad', d.augment?.pad ?? 4, { int: true, min: 1 });
  const augment =
    v.augment !== undefined ? parseAugment(String(v.augment), pad) : d.augment ? { ...d.augment, pad } : null;
  if (v.pad !== undefined && !augment?.crop) throw new InputError('--pad applies to --augment crop or flip,crop');
  const normalize = v.normalize !== undefined ? parseNormalize(String(v.normalize)) : (d.normalize ?? null);
  return { ...(augment ? { augment } : {}), ...(normalize ? { normalize } : {}) };
}
