// Uniform random scores: the location-agnostic control.
import { Generator, keep, rand } from '../../../engine/index.ts';
import type { Module } from '../../../nn/index.ts';
import type { ScoreEntry, Scores } from './common.ts';

/** Uniform random scores (a location-agnostic control). */
export function randomScores(model: Module, seed: number): Scores {
  const gen = new Generator(seed);
  return new Map(model.namedParameters().map(([n, p]) => [n, keep(rand(p.shape, gen))]));
}

export const randomScore: ScoreEntry = {
  name: 'random',
  description: 'uniform random scores (a location-agnostic control)',
  compute: (s) => randomScores(s.model, s.seed),
};
