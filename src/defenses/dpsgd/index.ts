/** RDP privacy accounting for DP-SGD (subsampled Gaussian mechanism), a port of Opacus's RDP accountant. */
export {
  computeRdp,
  DEFAULT_ORDERS,
  epsilon,
  getPrivacySpent,
  logErfc,
  MAX_SIGMA,
  noiseForEpsilon,
  RdpAccountant,
  type NoiseSearchOptions,
  type PrivacySpent,
  type RdpConversion,
  type RdpHistoryEntry,
} from './accountant.ts';
/** A recorded stage's DP-SGD settings, checked. */
export { readDpSpec } from './dpsgd.ts';
/** Per-sample gradient rules by layer class, and the check that lists every layer DP-SGD cannot train. */
export { PER_SAMPLE_RULES, ruleFor, unsupportedLayers, validate, type PerSampleRule } from './rules/index.ts';
/** DP-SGD as `cwrf tune` searches it (its target epsilon). */
export { DPSGD_TUNING, DP_TUNING_DEFAULTS, type TrainingTuning } from './tuning.ts';
