// Experiments: runs on disk, replays, reference models and audits.
export * from '../runs/run.ts';
export * from '../runs/replay.ts';
export * from '../runs/cache.ts';
export * from '../references/refs.ts';
export * from '../references/reference-task.ts';
export { processReference } from '../references/reference.ts';
export { localPool, runInChild } from '../references/pool.ts';
export * from '../audit/audit.ts';
export { versions } from '../runs/versions.ts';
export * from '../runs/defend.ts';
export * from '../studies/analyze.ts';
export * from '../studies/bench.ts';
export * from '../studies/demo.ts';
export * from '../runs/export.ts';
export * from '../runs/predict.ts';
export * from '../audit/lira-import.ts';
