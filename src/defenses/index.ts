// Defenses: CWRF and its baselines as post-training stages, DP-SGD as a training-loop wrapper, weight scores.
import type { DefenseStage } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import { applyCwrf, type CwrfStage, type StageContext } from './cwrf.ts';

export * from './scores/index.ts';
export * from './critical.ts';
export * from './rewind.ts';
export * from './cwrf.ts';
export { dpHooks } from '../dp/dpsgd.ts';

const WEIGHT_METHODS = new Set(['cwrf', 'finetune-all', 'prune', 'rewind']);

/** Applies one recorded defense stage to ctx.trained.model (in place). */
export function applyDefense(stage: DefenseStage, ctx: StageContext): { history: StageHistory; info: Record<string, unknown> } {
  if (WEIGHT_METHODS.has(stage.method)) return applyCwrf(stage as unknown as CwrfStage, ctx);
  throw new InputError(`unknown defense method '${stage.method}' (cwrf, finetune-all, prune, rewind)`);
}
type StageHistory = ReturnType<typeof applyCwrf>['history'];
