// The stage of CWRF and of its weight-level baselines (rewind, prune, fine-tune-all): one stage type, CwrfStage,
// made from options (or flags) over the defaults and the method's fixed choices, checked by readCwrfStage,
// applied by applyCwrf.
import type { Recipe } from '../../train/index.ts';
import { checkChoice, checkNumber, checkString } from '../../util/check.ts';
import { definedOnly } from '../../util/defined.ts';
import { parseOption, readAll, type OptionSpec } from '../../util/options.ts';
import { upgradeStage } from '../dpsgd/legacy.ts';
import type { MethodEntry, StageMethod } from '../methods/types.ts';
import { RANKS } from './critical.ts';
import { applyCwrf, CWRF_DEFAULTS, readCwrfStage, SCOPES, STAGE_OPTIONS, type CwrfStage } from './cwrf.ts';
import { familyStageDefaults } from './family-defaults.ts';
import { REWINDS } from './rewind.ts';
import { PVE_OPTIONS, pveFor, readPve, SCORES } from './scores/index.ts';

/** A weight-level stage method: its stage also made from typed options (the programmatic cwrfStage()). */
export interface WeightStage extends StageMethod<CwrfStage> {
  /** The stage of the `given` options (unset ones absent or undefined) over the defaults and the method's fixed choices. */
  make(given: Partial<CwrfStage>, recipe: Recipe): CwrfStage;
}

/**
 * The stage of the method `entry()` returns (read when a stage is made: its name, and its options decide its
 * default score and whether it ranks by PVE). `fix` sets the method's fixed choices over the user's (`given`).
 */
export function weightStage(entry: () => MethodEntry<CwrfStage>, fix?: (s: CwrfStage, given: Partial<CwrfStage>) => void): WeightStage {
  const make = (opts: Partial<CwrfStage>, recipe: Recipe): CwrfStage => {
    const { name, options } = entry();
    const given = upgradeStage(opts, recipe.dp);
    const s: CwrfStage = {
      ...CWRF_DEFAULTS,
      ...familyStageDefaults(recipe),
      objective: recipe.objective,
      ...definedOnly(given),
      pve: { ...CWRF_DEFAULTS.pve, ...definedOnly(given.pve ?? {}) },
      method: name,
    };
    // PVE's copy learns at the rate the recipe ends with, where the method ranks by PVE (fine-tune-all ranks nothing)
    if (s.score === 'pve' && 'pve-lr' in options) s.pve = pveFor(recipe, s.pve);
    fix?.(s, given);
    readCwrfStage(s);
    return s;
  };
  return {
    make,
    parse(values, recipe, fine) {
      const o = STAGE_OPTIONS;
      const own = entry().options.score?.default;
      const flag = (name: string, spec: OptionSpec): unknown => {
        const raw = values[name];
        return raw === undefined ? spec.default : parseOption(name, spec, raw);
      };
      const epochs = flag('epochs', o.epochs);
      const lr = flag('lr', o.lr);
      return make(
        {
          score: checkChoice(flag('score', { ...o.score, default: typeof own === 'string' ? own : CWRF_DEFAULTS.score }), 'score', SCORES.names()),
          pve: readPve(readAll(PVE_OPTIONS, values)),
          ratio: checkNumber(flag('ratio', o.ratio), 'ratio'),
          rank: checkChoice(flag('rank', o.rank), 'rank', RANKS),
          params: checkString(flag('params', o.params), 'params'),
          rewind: checkChoice(flag('rewind', o.rewind), 'rewind', REWINDS),
          scope: checkChoice(flag('scope', o.scope), 'scope', SCOPES),
          epochs: epochs === undefined ? undefined : checkNumber(epochs, 'epochs'),
          objective: fine.objective,
          ...(lr !== undefined ? { lr: checkNumber(lr, 'lr') } : {}),
          ...(fine.dp ? { dp: fine.dp } : {}),
        },
        recipe,
      );
    },
    validate: readCwrfStage,
    apply: applyCwrf,
  };
}
