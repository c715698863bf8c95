// The attack registry: one file per family; add one with one line here.
import { Registry } from '../../util/options.ts';
import { LIRA_ATTACKS } from './lira.ts';
import { RMIA_ATTACKS } from './rmia.ts';
import { THRESHOLD_ATTACKS } from './threshold.ts';
import type { AttackEntry } from './types.ts';

export * from './types.ts';

/** Every attack, in report order. */
export const ATTACKS = new Registry<AttackEntry>('attack').add(...LIRA_ATTACKS, ...RMIA_ATTACKS, ...THRESHOLD_ATTACKS);
