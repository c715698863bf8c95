// Flags of a weight-level defense stage (`cwrf defend`, `cwrf score`, `cwrf analyze`), from the method and
// score registries.
import {
  CWRF_DEFAULTS,
  cwrfStage,
  METHODS,
  PVE_OPTIONS,
  SCORES,
  STAGE_OPTIONS,
  type CwrfStage,
  type PveOptions,
} from '../defenses/index.ts';
import type { DpSpec, ObjectiveSpec, Recipe } from '../train/index.ts';
import { readAll, type OptionTable } from '../util/options.ts';
import type { Flags } from './flags.ts';

/** The score flags: --score and every score's own options. */
export const SCORE_FLAGS: OptionTable = { score: STAGE_OPTIONS.score, ...SCORES.options() };

/** Every flag some stage method reads. */
export const STAGE_FLAGS: OptionTable = { ...STAGE_OPTIONS, ...METHODS.options() };

/** The score part of a stage from flags (`def`: the method's default score). */
export function scoreFromFlags(f: Flags, def: string = CWRF_DEFAULTS.score): Pick<CwrfStage, 'score' | 'pve'> {
  return {
    score: f.with<string>('score', { ...STAGE_OPTIONS.score, default: def }),
    pve: readAll(PVE_OPTIONS, f.values) as unknown as PveOptions,
  };
}

/** A complete stage for `method` from flags over the defaults, fine-tuning with `objective` (and `dp`). */
export function stageFromFlags(method: string, f: Flags, recipe: Recipe, objective: ObjectiveSpec, dp?: DpSpec): CwrfStage {
  const own = METHODS.get(method).options;
  const s = scoreFromFlags(f, (own.score?.default as string | undefined) ?? CWRF_DEFAULTS.score);
  const lr = f.opt<number>('lr');
  return cwrfStage(
    method,
    {
      score: s.score,
      pve: s.pve,
      ratio: f.with<number>('ratio', STAGE_OPTIONS.ratio),
      rank: f.with<CwrfStage['rank']>('rank', STAGE_OPTIONS.rank),
      params: f.with<CwrfStage['params']>('params', STAGE_OPTIONS.params),
      rewind: f.with<CwrfStage['rewind']>('rewind', STAGE_OPTIONS.rewind),
      scope: f.with<CwrfStage['scope']>('scope', STAGE_OPTIONS.scope),
      epochs: f.opt<number>('epochs'),
      objective,
      ...(lr !== undefined ? { lr } : {}),
      ...(dp ? { dp } : {}),
    },
    recipe,
  );
}
