// Experiments: runs on disk, replays, reference models and audits.
export * from './run.ts';
export * from './replay.ts';
export * from './cache.ts';
export * from './refs.ts';
export * from './reference-task.ts';
export { processReference } from './reference.ts';
export { localPool, runInChild } from './pool.ts';
export * from './audit.ts';
export { versions } from './versions.ts';
export * from './defend.ts';
export * from './analyze.ts';
export * from './bench.ts';
export * from './demo.ts';
export * from './export.ts';
export * from './predict.ts';
export * from './lira-import.ts';
