// Defenses: CWRF and its baselines as post-training stages, DP-SGD as a training-loop wrapper, weight scores.
export * from './scores/index.ts';
export * from './critical.ts';
export * from './rewind.ts';
export * from './cwrf.ts';
export * from './methods/index.ts';
export * from './hamp-output.ts';
export * from './release.ts';
export { dpHooks } from '../dp/dpsgd.ts';
