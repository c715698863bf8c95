// `cwrf bench`'s settings of its base defenses: a defense's own flags (--ccl-alpha, --alpha, --hamp-gamma, ...,
// the DP-SGD flags) set that defense's rows; --objective and --release name one training, which a table of many
// defenses has no place for, so they are refused rather than ignored.
import { OBJECTIVES } from '../train/index.ts';
import type { BaseParams } from '../studies/index.ts';
import { InputError } from '../util/errors.ts';
import { readGiven } from '../util/options.ts';
import { Flags } from './flags.ts';
import { DP_FLAGS } from './recipe-flags.ts';

/** The bench's base-defense settings, and the flags left for its shared recipe (without them). */
export function benchParamsFromFlags(f: Flags): { recipeFlags: Flags; params: BaseParams } {
  for (const flag of ['objective', 'release'])
    if (f.has(flag))
      throw new InputError(`--${flag} does not apply to bench: every row trains its own defense; set a defense's parameters with its flags (e.g. --ccl-alpha 0.02 for the CCL rows)`);
  const dataset = f.get<string>('dataset');
  const objectives: BaseParams['objectives'] = {};
  for (const entry of OBJECTIVES.entries()) {
    const given = readGiven(entry.options, f.values);
    if (!Object.keys(given).length) continue;
    objectives[entry.name] = given;
    entry.validate?.({ name: entry.name, ...(entry.defaults?.(dataset) ?? {}), ...given });
  }
  const taken = new Set([...Object.keys(OBJECTIVES.options()), ...Object.keys(DP_FLAGS)]);
  const rest = Object.fromEntries(Object.entries(f.values).filter(([k]) => !taken.has(k)));
  return { recipeFlags: new Flags(f.table, rest), params: { objectives, dp: readGiven(DP_FLAGS, f.values) } };
}
