// DP-SGD as a wrapper around the ordinary training loop (per-example clipping, noise, Poisson batches).
export { dpGradientStep, dpHooks, dpNoiseFor, poissonBatches } from '../dp/dpsgd.ts';
