// Flags of a weight-level defense stage (`cwrf defend`, `cwrf score`, `cwrf analyze`), from the method and
// score registries.
import { CWRF_DEFAULTS, METHODS, PVE_OPTIONS, readPve, SCORES, STAGE_OPTIONS, stageMethod, type CwrfStage } from '../defenses/index.ts';
import type { DefenseStage, DpSpec, ObjectiveSpec, Recipe } from '../train/index.ts';
import { readAll, type OptionTable } from '../util/options.ts';
import type { Flags } from './flags.ts';

/** The score flags: --score and every score's own options. */
export const SCORE_FLAGS: OptionTable = { score: STAGE_OPTIONS.score, ...SCORES.options() };

/** Every flag some stage method reads (read from the registry when asked, so a method registered later has its flags). */
export function stageFlags(): OptionTable {
  return { ...STAGE_OPTIONS, ...METHODS.options() };
}

/** The score part of a stage from flags (`def`: the method's default score). */
export function scoreFromFlags(f: Flags, def: string = CWRF_DEFAULTS.score): Pick<CwrfStage, 'score' | 'pve'> {
  return {
    score: f.with<string>('score', { ...STAGE_OPTIONS.score, default: def }),
    pve: readPve(readAll(PVE_OPTIONS, f.values)),
  };
}

/** The stage of `method` from flags over its defaults, fine-tuning with `objective` (and `dp`): the method parses it. */
export function stageFromFlags(method: string, f: Flags, recipe: Recipe, objective: ObjectiveSpec, dp?: DpSpec): DefenseStage {
  return stageMethod(method).parse(f.values, recipe, { objective, ...(dp ? { dp } : {}) });
}
