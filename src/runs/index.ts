// Runs: a run directory (train, defend, predict, export), the replay of a recipe and the model cache.
export * from './run.ts';
export * from './replay.ts';
export * from './cache.ts';
export { versions } from './versions.ts';
export * from './defend.ts';
export * from './export.ts';
export * from './predict.ts';
