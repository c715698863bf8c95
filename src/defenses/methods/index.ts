// The defense-method registry: one file per method; add one with one line here.
import { checkParamsSelection } from '../cwrf/critical.ts';
import type { DefenseStage, Recipe } from '../../train/index.ts';
import { definedOnly } from '../../util/defined.ts';
import { InputError } from '../../util/errors.ts';
import { Registry } from '../../util/options.ts';
import { CWRF_DEFAULTS, type CwrfStage, type DefenseMethod, type StageContext } from '../cwrf/cwrf.ts';
import { pveFor } from '../cwrf/scores/index.ts';
import { familyStageDefaults } from '../cwrf/family-defaults.ts';
import { cwrfMethod } from '../cwrf/method.ts';
import { finetuneAllMethod } from '../finetune-all/method.ts';
import { pruneMethod } from '../prune/method.ts';
import { retrainMethod } from '../retrain/method.ts';
import { rewindMethod } from '../rewind/method.ts';
import type { MethodEntry, StageResult } from './types.ts';

export type { MethodEntry, StageResult } from './types.ts';

/** Every defense method, by name. */
export const METHODS = new Registry<MethodEntry>('defense method').add(
  cwrfMethod,
  finetuneAllMethod,
  retrainMethod,
  pruneMethod,
  rewindMethod,
);

/** The method `name`, which must be a stage method. */
function stageMethod(name: string): NonNullable<MethodEntry['stage']> {
  const m = METHODS.get(name);
  if (!m.stage)
    throw new InputError(
      `defense method '${name}' is not a weight-level stage (${METHODS.entries()
        .filter((e) => e.stage)
        .map((e) => e.name)
        .join(', ')})`,
    );
  return m.stage;
}

/**
 * A stage as recorded before DP-SGD had one encoding: objective {name: 'dpsgd'} meant CE under the
 * recipe's DP settings; now the stage carries them (`dp`) with an ordinary objective.
 */
export function upgradeStage<S extends { objective?: { name: string }; dp?: unknown }>(stage: S, recipeDp: Recipe['dp']): S {
  if (stage.objective?.name !== 'dpsgd') return stage;
  if (!recipeDp)
    throw new InputError('fine-tuning with dpsgd needs DP settings (--max-grad-norm, --target-epsilon or --noise-multiplier, --delta)');
  return { ...stage, objective: { name: 'ce' }, dp: recipeDp };
}

/** Whether the stage ranks weights by PVE (its method reads PVE's options and its score is PVE; fine-tune-all ranks nothing). */
export function ranksByPve(s: Pick<CwrfStage, 'method' | 'score'>): boolean {
  return s.score === 'pve' && 'pve-lr' in METHODS.get(s.method).options;
}

/** Fills defaults and the method's fixed choices into a user-supplied stage. */
export function cwrfStage(method: DefenseMethod, opts: Partial<CwrfStage>, recipe: Recipe): CwrfStage {
  const fixed = stageMethod(method);
  const given = upgradeStage(opts, recipe.dp);
  const s: CwrfStage = {
    ...CWRF_DEFAULTS,
    ...familyStageDefaults(recipe),
    objective: recipe.objective,
    ...definedOnly(given),
    pve: { ...CWRF_DEFAULTS.pve, ...definedOnly(given.pve ?? {}) },
    method,
  };
  if (ranksByPve(s)) s.pve = pveFor(recipe, s.pve);
  fixed.fix?.(s, given);
  if (!Number.isInteger(s.epochs) || s.epochs < 0) throw new InputError(`epochs must be a non-negative integer, got ${s.epochs}`);
  if (!['rest', 'critical', 'all'].includes(s.scope)) throw new InputError(`unknown scope '${s.scope}' (rest, critical, all)`);
  if (!['init', 'zero', 'random-init'].includes(s.rewind)) throw new InputError(`unknown rewind '${s.rewind}' (init, zero, random-init)`);
  if (!['global', 'per-layer'].includes(s.rank)) throw new InputError(`unknown rank '${s.rank}' (global, per-layer)`);
  checkParamsSelection(s.params);
  return s;
}

/** Applies one recorded defense stage to ctx.trained.model (in place). */
export function applyDefense(stage: DefenseStage, ctx: StageContext): StageResult {
  return stageMethod(stage.method).apply(upgradeStage(stage as DefenseStage & { objective?: { name: string } }, ctx.recipe.dp), ctx);
}

/**
 * A recipe as recorded before DP-SGD had one encoding: `cwrf defend --objective dpsgd` stored its DP
 * settings as recipe.dp (which a replay would also apply to the base training) and {name: 'dpsgd'} in the
 * stage. The stage now carries them; recipe.dp stays only when the base model was trained with DP-SGD
 * (its history records epsilon).
 */
export function upgradeRecipe(recipe: Recipe, baseHistory: readonly Record<string, number>[]): Recipe {
  const legacy = recipe.defenses.some((s) => (s as { objective?: { name?: string } }).objective?.name === 'dpsgd');
  if (!legacy) return recipe;
  const defenses = recipe.defenses.map((s) => upgradeStage(s as DefenseStage & { objective?: { name: string } }, recipe.dp));
  const baseDp = baseHistory.some((h) => h.epsilon !== undefined);
  const { dp, ...rest } = recipe;
  return { ...rest, ...(baseDp && dp ? { dp } : {}), defenses };
}
