// |w|: the magnitude baseline.
import { keep, noGrad } from '../../../engine/index.ts';
import type { Module } from '../../../nn/index.ts';
import type { ScoreEntry, Scores } from './common.ts';

/** |w| of the trained weights. */
export function magnitudeScores(model: Module): Scores {
  return noGrad(() => new Map(model.namedParameters().map(([n, p]) => [n, keep(p.abs())])));
}

export const magnitudeScore: ScoreEntry = {
  name: 'magnitude',
  description: '|w| of the trained weights',
  compute: (s) => magnitudeScores(s.model),
};
