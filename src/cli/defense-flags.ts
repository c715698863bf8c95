// Flags of a weight-level defense stage (`cwrf defend`, `cwrf score`, `cwrf analyze`).
import { CWRF_DEFAULTS, cwrfStage, type CwrfStage, type DefenseMethod } from '../defenses/index.ts';
import type { Recipe } from '../train/index.ts';
import { numberFlag, stringFlag, type Options, type Values } from './command.ts';
import { objectiveFromFlags } from './recipe-flags.ts';

export const STAGE_FLAGS: Options = {
  score: { type: 'string' },
  ratio: { type: 'string' },
  rank: { type: 'string' },
  params: { type: 'string' },
  rewind: { type: 'string' },
  scope: { type: 'string' },
  epochs: { type: 'string' },
  lr: { type: 'string' },
  'pve-start': { type: 'string' },
  'pve-anchor': { type: 'string' },
  lambda: { type: 'string' },
  iters: { type: 'string' },
};

/** The PVE/score part of a stage from flags. */
export function scoreFromFlags(v: Values): Pick<CwrfStage, 'score' | 'pve'> {
  const d = CWRF_DEFAULTS;
  return {
    score: stringFlag(v, 'score', d.score, ['pve', 'tfo', 'salun', 'magnitude', 'random'] as const),
    pve: {
      start: stringFlag(v, 'pve-start', d.pve.start, ['target', 'scratch'] as const),
      anchor: stringFlag(v, 'pve-anchor', d.pve.anchor, ['target', 'init'] as const),
      lambda: numberFlag(v, 'lambda', d.pve.lambda, { min: 0, max: 1 }),
      iters: numberFlag(v, 'iters', d.pve.iters, { int: true, min: 1 }),
    },
  };
}

/** A complete stage for `method` from flags over the defaults. */
export function stageFromFlags(method: DefenseMethod, v: Values, recipe: Recipe): CwrfStage {
  const d = CWRF_DEFAULTS;
  const s = scoreFromFlags(v);
  const objective = objectiveFromFlags(v, recipe.dataset, recipe.objective);
  return cwrfStage(
    method,
    {
      ...(v.score !== undefined || method !== 'prune' ? { score: s.score } : {}),
      pve: s.pve,
      ratio: numberFlag(v, 'ratio', d.ratio, { min: 0, max: 1 }),
      rank: stringFlag(v, 'rank', d.rank, ['global', 'per-layer'] as const),
      params: v.params !== undefined ? String(v.params) : d.params,
      rewind: stringFlag(v, 'rewind', d.rewind, ['init', 'zero', 'random-init'] as const),
      scope: stringFlag(v, 'scope', d.scope, ['rest', 'critical', 'all'] as const),
      epochs: numberFlag(v, 'epochs', d.epochs, { int: true, min: 0 }),
      objective,
      ...(v.lr !== undefined ? { lr: numberFlag(v, 'lr', 0, { min: 0 }) } : {}),
    },
    recipe,
  );
}
