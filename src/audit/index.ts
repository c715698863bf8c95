// Audits: reference models, attack signals, the attacks' summaries; signals from LiRA's reference layout.
export * from './audit.ts';
export * from './lira-import.ts';
