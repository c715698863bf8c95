// The weight-score registry: one file per score; add one with one line here.
import { Registry } from '../../../util/options.ts';
import type { PveOptions, ScoreEntry, ScoreInput, ScoreName, Scores } from './common.ts';
import { magnitudeScore } from './magnitude.ts';
import { pveScore } from './pve.ts';
import { randomScore } from './random.ts';
import { salunScore } from './salun.ts';
import { tfoScore } from './tfo.ts';

export * from './common.ts';
export { pveFor, pveScores, readPve, PVE_OPTIONS } from './pve.ts';
export { tfoScores } from './tfo.ts';
export { salunScores } from './salun.ts';
export { magnitudeScores } from './magnitude.ts';
export { randomScores } from './random.ts';

/** Every weight score, by name. */
export const SCORES = new Registry<ScoreEntry>('score').add(pveScore, tfoScore, salunScore, magnitudeScore, randomScore);

/** Scores of the named kind. */
export function computeScores(kind: ScoreName, s: ScoreInput, pve: PveOptions): Scores {
  return SCORES.get(kind).compute(s, { pve });
}
