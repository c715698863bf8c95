// Audits: the pipeline (references, attacks, summaries), the attack set, the signals file; signals from LiRA's
// reference layout.
export * from './audit.ts';
export * from './attack-set.ts';
export * from './signals.ts';
export * from './lira-import.ts';
