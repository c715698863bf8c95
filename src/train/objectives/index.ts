// The training-objective registry: one file per objective; add one with one line here.
import { Registry } from '../../util/options.ts';
import { ceObjective } from './ce.ts';
import { labelSmoothingObjective } from './label-smoothing.ts';
import { relaxLossObjective } from './relaxloss.ts';
import { cclObjective } from './ccl.ts';
import { hampObjective } from './hamp.ts';
import type { Objective, ObjectiveEntry, ObjectiveSpec } from './types.ts';

export type { Objective, ObjectiveEntry, ObjectiveSpec } from './types.ts';
export { softCrossEntropy, relaxLossDefaults } from './relaxloss.ts';
export { checkNumber } from './check.ts';
export { CCL_FORMS, cclDefaults, cclLoss, validateCcl, type CclForm, type CclSpec } from './ccl.ts';
export { checkClassOutputs, hampDefaults, hampLoss, hampSoftLabel, validateHamp, type HampSpec } from './hamp.ts';

/** Every training objective, by name. */
export const OBJECTIVES = new Registry<ObjectiveEntry>('objective').add(ceObjective, labelSmoothingObjective, relaxLossObjective, cclObjective, hampObjective);

/** The objective described by `spec`. */
export function makeObjective(spec: ObjectiveSpec): Objective {
  return OBJECTIVES.get(spec.name).make(spec);
}
