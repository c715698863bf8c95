// The training-objective registry: one file per objective; add one with one line here.
import { Registry } from '../../util/options.ts';
import { ceObjective } from './ce.ts';
import { labelSmoothingObjective } from './label-smoothing.ts';
import { relaxLossObjective } from '../../defenses/relaxloss/objective.ts';
import { cclObjective } from '../../defenses/ccl/objective.ts';
import { hampObjective } from '../../defenses/hamp/objective.ts';
import type { Objective, ObjectiveEntry, ObjectiveSpec } from './types.ts';

export type { Objective, ObjectiveEntry, ObjectiveSpec } from './types.ts';
export { softCrossEntropy, relaxLossDefaults } from '../../defenses/relaxloss/objective.ts';
export { checkNumber } from '../../util/check.ts';
export { CCL_FORMS, cclDefaults, cclLoss, validateCcl, type CclForm, type CclSpec } from '../../defenses/ccl/objective.ts';
export { checkClassOutputs, hampDefaults, hampLoss, hampSoftLabel, validateHamp, type HampSpec } from '../../defenses/hamp/objective.ts';

/** Every training objective, by name. */
export const OBJECTIVES = new Registry<ObjectiveEntry>('objective').add(ceObjective, labelSmoothingObjective, relaxLossObjective, cclObjective, hampObjective);

/** The objective described by `spec`. */
export function makeObjective(spec: ObjectiveSpec): Objective {
  return OBJECTIVES.get(spec.name).make(spec);
}
