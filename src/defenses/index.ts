// Defenses: CWRF and its baselines as post-training stages, DP-SGD as a training-loop wrapper, weight scores.
export * from './cwrf/scores/index.ts';
export * from './cwrf/critical.ts';
export * from './cwrf/rewind.ts';
export * from './cwrf/cwrf.ts';
export * from './cwrf/stage.ts';
export * from './methods/index.ts';
export * from './hamp/release.ts';
export * from './release.ts';
export { dpHooks } from './dpsgd/dpsgd.ts';
