// DP-SGD's old encoding in recorded stages: objective {name: 'dpsgd'} meant CE under the recipe's DP settings.
import type { Recipe } from '../../train/index.ts';
import { isRecord } from '../../util/check.ts';
import { InputError } from '../../util/errors.ts';

/** Whether a recorded stage uses the old encoding (objective {name: 'dpsgd'}). */
export function isLegacyDpStage(stage: object): boolean {
  const objective: unknown = 'objective' in stage ? stage.objective : undefined;
  return isRecord(objective) && objective.name === 'dpsgd';
}

/**
 * A stage as recorded before DP-SGD had one encoding: objective {name: 'dpsgd'} meant CE under the
 * recipe's DP settings; now the stage carries them (`dp`) with an ordinary objective.
 */
export function upgradeStage<S extends object>(stage: S, recipeDp: Recipe['dp']): S {
  if (!isLegacyDpStage(stage)) return stage;
  if (!recipeDp)
    throw new InputError('fine-tuning with dpsgd needs DP settings (--max-grad-norm, --target-epsilon or --noise-multiplier, --delta)');
  return { ...stage, objective: { name: 'ce' }, dp: recipeDp };
}
