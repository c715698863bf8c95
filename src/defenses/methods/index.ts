// The defense-method registry: one folder per defense (src/defenses/<name>/method.ts); add one with one line here.
import type { DefenseStage, Recipe } from '../../train/index.ts';
import { InputError } from '../../util/errors.ts';
import { Registry } from '../../util/options.ts';
import type { CwrfStage, DefenseMethod } from '../cwrf/cwrf.ts';
import { cwrfMethod } from '../cwrf/method.ts';
import type { WeightStage } from '../cwrf/stage.ts';
import { isLegacyDpStage, upgradeStage } from '../dpsgd/legacy.ts';
import { finetuneAllMethod } from '../finetune-all/method.ts';
import { pruneMethod } from '../prune/method.ts';
import { retrainMethod } from '../retrain/method.ts';
import { rewindMethod } from '../rewind/method.ts';
import type { MethodEntry, StageContext, StageMethod, StageResult } from './types.ts';

export type { FineTune, MethodEntry, StageContext, StageMethod, StageResult } from './types.ts';
export { upgradeStage } from '../dpsgd/legacy.ts';

/** Every defense method, by name. */
export const METHODS = new Registry<MethodEntry>('defense method').add(
  cwrfMethod,
  finetuneAllMethod,
  retrainMethod,
  pruneMethod,
  rewindMethod,
);

function notAStage(name: string): InputError {
  return new InputError(
    `defense method '${name}' is not a weight-level stage (${METHODS.entries()
      .filter((e) => e.stage)
      .map((e) => e.name)
      .join(', ')})`,
  );
}

/** The stage of the method `name`, which must be a stage method. */
export function stageMethod(name: string): StageMethod<DefenseStage> {
  const m = METHODS.get(name);
  if (!m.stage) throw notAStage(name);
  return m.stage;
}

function isWeightStage(s: StageMethod<DefenseStage>): s is WeightStage {
  return 'make' in s;
}

/** Whether the stage ranks weights by PVE (its method reads PVE's options and its score is PVE; fine-tune-all ranks nothing). */
export function ranksByPve(s: Pick<CwrfStage, 'method' | 'score'>): boolean {
  return s.score === 'pve' && 'pve-lr' in METHODS.get(s.method).options;
}

/** Fills defaults and the method's fixed choices into a user-supplied stage of CWRF or a weight-level baseline. */
export function cwrfStage(method: DefenseMethod, opts: Partial<CwrfStage>, recipe: Recipe): CwrfStage {
  const s = stageMethod(method);
  if (!isWeightStage(s)) throw notAStage(method);
  return s.make(opts, recipe);
}

/** Applies one recorded defense stage to ctx.trained.model (in place), checked by its method first. */
export function applyDefense(stage: DefenseStage, ctx: StageContext): StageResult {
  const m = stageMethod(stage.method);
  return m.apply(m.validate(upgradeStage(stage, ctx.recipe.dp)), ctx);
}

/**
 * A recipe as recorded before DP-SGD had one encoding: `cwrf defend --objective dpsgd` stored its DP
 * settings as recipe.dp (which a replay would also apply to the base training) and {name: 'dpsgd'} in the
 * stage. The stage now carries them; recipe.dp stays only when the base model was trained with DP-SGD
 * (its history records epsilon).
 */
export function upgradeRecipe(recipe: Recipe, baseHistory: readonly Record<string, number>[]): Recipe {
  if (!recipe.defenses.some(isLegacyDpStage)) return recipe;
  const defenses = recipe.defenses.map((s) => upgradeStage(s, recipe.dp));
  const baseDp = baseHistory.some((h) => h.epsilon !== undefined);
  const { dp, ...rest } = recipe;
  return { ...rest, ...(baseDp && dp ? { dp } : {}), defenses };
}
